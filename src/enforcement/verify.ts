import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { type Clock, systemClock } from '../clock.js';
import {
  assertOurHeader,
  CLOCK_TOLERANCE_S,
  REQUIRED_CLAIMS,
  TOKEN_TYPE,
  type VerifiedToken,
  VerifiedTokenCache,
  type VerifyPlan,
  verifyAccessToken,
} from '../tokens/index.js';

/** The algorithms a JWKS can publish (HS256 keys never leave Gatehouse). */
export type PublicAlgorithm = 'EdDSA' | 'ES256' | 'RS256';

/** Where the public keys come from: Gatehouse's JWKS endpoint (cached, refetched on an unknown kid) or a fixed set. */
export type KeySource =
  | {
      /** e.g. `https://auth.example.com/.well-known/jwks.json` */
      jwksUrl: string | URL;
      /**
       * After a fetch, an unknown `kid` refetches only once this much time has passed (default 5 s):
       * how long tokens of a just-rotated key may be refused, and how often bogus kids can cause a fetch.
       */
      cooldownMs?: number;
      /** Keys are refetched at least this often (default 10 min). */
      cacheMaxAgeMs?: number;
    }
  | { jwks: JSONWebKeySet };

export interface VerifierOptions {
  keys: KeySource;
  /** The app slug: tokens are accepted only with this `aud`. */
  app: string;
  /** `auth.tokens.issuer` of the app (default `gatehouse`). */
  issuer?: string;
  /** Allow-list (default all three); a token naming any other `alg` is refused before its key is looked up. */
  algorithms?: PublicAlgorithm[];
  /** Refuse tokens issued longer ago than this (optional; `exp` is always checked, with 5 s of leeway). */
  maxTokenAgeSeconds?: number;
  /** Verified tokens kept by their exact string until they expire (default 10 000; 0 disables). */
  cacheSize?: number;
  /** The time tokens are checked against (default the system clock); tests may shift it. */
  clock?: Clock;
}

function keyLookup(keys: KeySource): JWTVerifyGetKey<CryptoKey> {
  const set =
    'jwks' in keys
      ? createLocalJWKSet(keys.jwks)
      : createRemoteJWKSet(new URL(keys.jwksUrl), {
          cooldownDuration: keys.cooldownMs ?? 5000,
          cacheMaxAge: keys.cacheMaxAgeMs ?? 600_000,
        });
  return (header, token) => {
    assertOurHeader(header);
    if (typeof header.kid !== 'string') throw new Error('no kid');
    return set(header, token);
  };
}

export type TokenVerifier = (token: string) => Promise<VerifiedToken | null>;

/**
 * Verifies Gatehouse access tokens the way Gatehouse does (the same code, src/tokens): compact JWS
 * only, pinned algorithms, only our header members, `typ: at+jwt`, `iss`, `aud` = the app,
 * required claims, `exp` with 5 s of leeway. Resolves null for anything else: fail closed.
 * Verified tokens are cached like Gatehouse's own, expiry checked on the clock at every hit.
 */
export function createTokenVerifier(opts: VerifierOptions): TokenVerifier {
  const plan: VerifyPlan = {
    getKey: keyLookup(opts.keys),
    options: Object.freeze({
      algorithms: opts.algorithms ?? ['EdDSA', 'ES256', 'RS256'],
      issuer: opts.issuer ?? 'gatehouse',
      audience: opts.app,
      typ: TOKEN_TYPE,
      requiredClaims: REQUIRED_CLAIMS as string[],
      clockTolerance: CLOCK_TOLERANCE_S,
      ...(opts.maxTokenAgeSeconds ? { maxTokenAge: opts.maxTokenAgeSeconds } : {}),
    }),
  };
  const clock = opts.clock ?? systemClock;
  const size = opts.cacheSize ?? 10_000;
  const cache = size > 0 ? new VerifiedTokenCache(size) : undefined;
  return async (token) => {
    const nowMs = clock.ms();
    const hit = cache?.get(token, opts.app, Math.floor(nowMs / 1000));
    if (hit) return hit;
    const verified = await verifyAccessToken(token, plan, new Date(nowMs));
    if (verified) cache?.set(token, verified);
    return verified;
  };
}
