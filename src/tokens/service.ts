import type { AppConfig, SigningAlgorithm } from '../config/index.js';
import type { CoreDeps } from '../core/index.js';
import { MAX_TOKEN_LENGTH, signAccessToken } from './access-token.js';
import { VerifiedTokenCache } from './cache.js';
import { type SigningKeyDoc, SigningKeyStore } from './key-store.js';
import { Keyring } from './keyring.js';
import { type KeyObjectLookup, type LocalVerifyPlan, localVerifyPlan, verifyOwnToken } from './local-verify.js';
import type { KeyInfo, TokenService } from './types.js';

/** What the token service needs of the manifest and the secret (built by the composition root). */
export interface TokenSettings {
  /** The algorithms the apps sign with: each gets an active key, made when missing. */
  algorithms: readonly SigningAlgorithm[];
  /** The longest access-token TTL of any app, in seconds: how long a retired key must keep verifying. */
  longestAccessTtlS: number;
  /** `deriveKey(secret, KEY_PURPOSES.signingKeys)`: seals the private keys at rest. */
  sealKey: Buffer;
}

export interface TokenServiceOptions {
  /** Key-set refresh period. Default 15 s; the contract wants rotations everywhere within 60 s. */
  refreshMs?: number;
  /** Least time between reloads caused by tokens with an unknown kid. Default 1 s. */
  unknownKidReloadMs?: number;
  /** Verified tokens kept in memory. Default 10,000. */
  cacheSize?: number;
}

/**
 * How long a retired key keeps verifying beyond the longest access-token TTL: other instances
 * may sign with it until their next refresh (at most the contract's 60 s pick-up bound), and
 * 30 s more absorbs clock skew (verifiers allow 5 s) and slow round trips.
 */
const PICKUP_BOUND_MS = 60_000;
const RETIRE_LEEWAY_MS = 30_000;

export function createTokenService(
  deps: CoreDeps,
  settings: TokenSettings,
  options: TokenServiceOptions = {},
): TokenService {
  const { clock, metrics } = deps;
  const algorithms = [...new Set(settings.algorithms)];
  const retireAfterMs = Math.max(0, settings.longestAccessTtlS) * 1000 + PICKUP_BOUND_MS + RETIRE_LEEWAY_MS;
  const store = new SigningKeyStore(deps.database.db, settings.sealKey);
  const cache = new VerifiedTokenCache(options.cacheSize ?? 10_000);
  const keyring = new Keyring({
    store,
    clock,
    logger: deps.logger,
    algorithms,
    options: { refreshMs: options.refreshMs ?? 15_000, unknownKidReloadMs: options.unknownKidReloadMs ?? 1000 },
    // A key that left the set may have been pulled on purpose: forget what it verified.
    onKeysRemoved: () => cache.clear(),
  });
  let started = false;

  // Synchronous for a known kid: first sight costs no promise but the verify itself, and no pool thread.
  const lookup: KeyObjectLookup = (kid, alg) =>
    keyring.find(kid, alg)?.verifyKeyObject ?? keyring.findOrReload(kid, alg).then((e) => e?.verifyKeyObject);
  const plans = new WeakMap<AppConfig, LocalVerifyPlan>();
  const planFor = (app: AppConfig) => {
    let plan = plans.get(app);
    if (plan === undefined) {
      plan = localVerifyPlan(app, lookup);
      plans.set(app, plan);
    }
    return plan;
  };

  async function list(): Promise<KeyInfo[]> {
    const now = clock.ms();
    const docs = (await store.all()).filter((d) => d.retireAt === null || d.retireAt.getTime() > now);
    return docs.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map(keyInfo);
  }

  return {
    async start() {
      await keyring.start();
      started = true;
    },
    stop() {
      keyring.stop();
    },
    async issue(app, subject) {
      const signer = keyring.signer(app.tokens.algorithm);
      if (signer === undefined) {
        throw new Error(`no ${app.tokens.algorithm} signing key: start() the token service with a manifest using it`);
      }
      return signAccessToken(signer, app, subject, clock.ms());
    },
    async verify(token, app) {
      if (!started || typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
      const nowMs = clock.ms();
      const hit = cache.get(token, app.slug, Math.floor(nowMs / 1000));
      metrics.tokenCache(hit !== undefined);
      if (hit !== undefined) return hit;
      const pending = verifyOwnToken(token, planFor(app), nowMs);
      const verified = pending instanceof Promise ? await pending : pending;
      if (verified !== null) cache.set(token, verified);
      return verified;
    },
    jwks() {
      return keyring.jwks();
    },
    async rotate(alg?: SigningAlgorithm) {
      const now = clock.now();
      const retireAt = new Date(now.getTime() + retireAfterMs);
      for (const a of alg ? [alg] : algorithms) await store.rotate(a, now, retireAt);
      if (started) await keyring.refreshAfterWrite();
      return list();
    },
    list,
  };
}

const keyInfo = (d: SigningKeyDoc): KeyInfo => ({
  kid: d._id,
  alg: d.alg,
  state: d.state,
  createdAt: d.createdAt,
  retireAt: d.retireAt,
});
