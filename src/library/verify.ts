import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { CLOCK_TOLERANCE_S, notExpired, TOKEN_TYPE, type VerifiedToken, verifyAccessToken } from '../tokens/index.js';

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
}

/** The header members Gatehouse tokens carry; anything else (jku, x5u, jwk, crit…) is not one of ours. */
const HEADER_MEMBERS = new Set(['alg', 'kid', 'typ']);

function keyLookup(keys: KeySource): JWTVerifyGetKey<CryptoKey> {
  const set =
    'jwks' in keys
      ? createLocalJWKSet(keys.jwks)
      : createRemoteJWKSet(new URL(keys.jwksUrl), {
          cooldownDuration: keys.cooldownMs ?? 5000,
          cacheMaxAge: keys.cacheMaxAgeMs ?? 600_000,
        });
  return (header, token) => {
    for (const name in header) if (!HEADER_MEMBERS.has(name)) throw new Error('unexpected header member');
    if (typeof header.kid !== 'string') throw new Error('no kid');
    return set(header, token);
  };
}

export type TokenVerifier = (token: string) => Promise<VerifiedToken | null>;

/**
 * Verifies Gatehouse access tokens the way Gatehouse does (shared code): compact JWS only, pinned
 * algorithms, `typ: at+jwt`, `iss`, `aud` = the app, required claims, `exp` with 5 s of leeway.
 * Resolves null for anything else: fail closed.
 */
export function createTokenVerifier(opts: VerifierOptions): TokenVerifier {
  const plan = {
    getKey: keyLookup(opts.keys),
    options: Object.freeze({
      algorithms: opts.algorithms ?? ['EdDSA', 'ES256', 'RS256'],
      issuer: opts.issuer ?? 'gatehouse',
      audience: opts.app,
      typ: TOKEN_TYPE,
      requiredClaims: ['exp', 'iat', 'sub', 'sid', 'jti'],
      clockTolerance: CLOCK_TOLERANCE_S,
      ...(opts.maxTokenAgeSeconds ? { maxTokenAge: opts.maxTokenAgeSeconds } : {}),
    }),
  };
  const size = opts.cacheSize ?? 10_000;
  const cache = size > 0 ? new LRUCache<string, VerifiedToken>({ max: size }) : undefined;
  return async (token) => {
    const now = Date.now();
    const hit = cache?.get(token);
    if (hit) return notExpired(hit.expiresAt, now / 1000) ? hit : null;
    const verified = await verifyAccessToken(token, plan, new Date(now));
    if (verified) cache?.set(token, verified);
    return verified;
  };
}
