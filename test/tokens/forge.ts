/**
 * Hand-made tokens for the refusal tests. Keys are read back through the store's own `open`
 * (the test-only signing path), never through the public TokenService API.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import type { Clock } from '../../src/clock.js';
import type { AppConfig, SigningAlgorithm } from '../../src/config/index.js';
import { type SigningKeyDoc, SigningKeyStore } from '../../src/tokens/key-store.js';
import type { TestDeps } from '../helpers/deps.js';

export const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export interface StoredKey {
  kid: string;
  doc: SigningKeyDoc;
  privateJwk: JWK;
  /** For signing forged tokens with the real key. */
  key: CryptoKey | Uint8Array;
}

/** Every stored key of `alg` (newest first), opened with the deps' secret. */
export async function storedKeys(deps: TestDeps, alg: SigningAlgorithm): Promise<StoredKey[]> {
  const store = new SigningKeyStore(deps.database.db, deps.settings.tokens.sealKey);
  const docs = (await store.all()).filter((d) => d.alg === alg);
  docs.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return Promise.all(
    docs.map(async (doc) => {
      const privateJwk = store.open(doc);
      return { kid: doc._id, doc, privateJwk, key: await importJWK(privateJwk, alg) };
    }),
  );
}

export async function activeKey(deps: TestDeps, alg: SigningAlgorithm): Promise<StoredKey> {
  const key = (await storedKeys(deps, alg)).find((k) => k.doc.state === 'active');
  if (!key) throw new Error(`no active ${alg} key`);
  return key;
}

/** Valid claims for `app` at the clock's time; `undefined` in `over` removes a claim. */
export function claims(app: AppConfig, clock: Clock, over: Record<string, unknown> = {}): JWTPayload {
  const iat = Math.floor(clock.ms() / 1000);
  const c: Record<string, unknown> = {
    iss: app.tokens.issuer,
    aud: app.slug,
    sub: 'user-1',
    sid: 'session-1',
    jti: randomUUID(),
    iat,
    exp: iat + app.tokens.accessTtl,
    roles: ['user'],
    ...over,
  };
  for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
  return c;
}

export function sign(key: CryptoKey | Uint8Array, header: Record<string, unknown>, payload: JWTPayload) {
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key);
}

/** An HS256 token MAC'd with arbitrary key bytes (the algorithm-confusion forgery). */
export function hs256(secret: string | Buffer, header: Record<string, unknown>, payload: JWTPayload): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
