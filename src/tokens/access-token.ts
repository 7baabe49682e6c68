import { randomUUID } from 'node:crypto';
import { type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions, jwtVerify, SignJWT } from 'jose';
import type { AppConfig, SigningAlgorithm } from '../config/index.js';
import { KID_PATTERN } from './keys.js';
import type { IssuedToken, VerifiedToken } from './types.js';

/** RFC 9068 access-token type: keeps any other JWT signed with the same key from passing as an access token. */
export const TOKEN_TYPE = 'at+jwt';
/** Seconds of clock skew accepted on `exp` and `iat` (the contract allows at most 5). */
export const CLOCK_TOLERANCE_S = 5;
/** Our tokens are well under 1 KB: anything longer is refused before it is parsed. */
export const MAX_TOKEN_LENGTH = 4096;

/** Compact JWS only: three base64url parts, so JWE (five parts) and JSON serializations never reach jose. */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;
/** The claims every access token must carry (jose refuses a token without one). */
export const REQUIRED_CLAIMS: readonly string[] = Object.freeze(['exp', 'iat', 'sub', 'sid', 'jti']);
/** The header members our tokens carry. Anything else (jku, x5u, jwk, x5c, crit, b64, …) means "not ours". */
const HEADER_MEMBERS = new Set(['alg', 'kid', 'typ']);

/** Throws (jose then refuses the token) unless the protected header has only our members; run before any key lookup. */
export function assertOurHeader(header: object): void {
  for (const name in header) if (!HEADER_MEMBERS.has(name)) throw new Error('unexpected header member');
}

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  signKey: CryptoKey | null;
}

export async function signAccessToken(
  key: SigningKey,
  app: AppConfig,
  subject: { userId: string; sessionId: string; roles: string[] },
  nowMs: number,
): Promise<IssuedToken> {
  if (key.signKey === null) throw new Error(`key ${key.kid} cannot sign`);
  const ttl = app.tokens.accessTtl;
  const iat = Math.floor(nowMs / 1000);
  const jti = randomUUID();
  const claims: JWTPayload = {
    iss: app.tokens.issuer,
    aud: app.slug,
    sub: subject.userId,
    sid: subject.sessionId,
    jti,
    iat,
    exp: iat + ttl,
    roles: [...subject.roles],
  };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: TOKEN_TYPE })
    .sign(key.signKey);
  return { token, expiresAt: iat + ttl, expiresIn: ttl, tokenId: jti };
}

/** The key for `kid` if it verifies `alg` tokens; never fetches anything named by the token. */
export type KeyLookup = (kid: string, alg: SigningAlgorithm) => Promise<CryptoKey | undefined>;

/** Everything verifying one app's tokens needs, built once per app. */
export interface VerifyPlan {
  readonly options: Readonly<JWTVerifyOptions>;
  readonly getKey: JWTVerifyGetKey<CryptoKey>;
}

export function verifyPlan(app: AppConfig, lookup: KeyLookup): VerifyPlan {
  const alg = app.tokens.algorithm;
  return {
    options: Object.freeze({
      // One pinned algorithm: jose would otherwise allow every algorithm the key type fits.
      algorithms: Object.freeze([alg]) as string[],
      issuer: app.tokens.issuer,
      audience: app.slug,
      typ: TOKEN_TYPE,
      requiredClaims: REQUIRED_CLAIMS as string[],
      clockTolerance: CLOCK_TOLERANCE_S,
      // Also rejects an iat in the future.
      maxTokenAge: app.tokens.accessTtl,
    }),
    // jose calls this after the alg allow-list check and before the signature check.
    async getKey(header) {
      assertOurHeader(header);
      const { kid } = header;
      if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) throw new Error('malformed kid');
      const key = await lookup(kid, alg);
      if (key === undefined) throw new Error('unknown kid');
      return key;
    },
  };
}

/** The token's claims if it is a valid access token under `plan` at `now`; null for anything else (fail closed). */
export async function verifyAccessToken(token: string, plan: VerifyPlan, now: Date): Promise<VerifiedToken | null> {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return null;
  try {
    const { payload } = await jwtVerify(token, plan.getKey, { ...plan.options, currentDate: now });
    return toVerified(payload);
  } catch {
    return null;
  }
}

/** Whether a token that expires at `expiresAt` is still accepted at `nowSec`: jose's rule, for cached tokens. */
export const notExpired = (expiresAt: number, nowSec: number) => expiresAt > nowSec - CLOCK_TOLERANCE_S;

/** Frozen, because the cache hands the same object to every caller. */
export function toVerified(p: JWTPayload): VerifiedToken | null {
  const { sub, aud, sid, jti, iat, exp, roles } = p;
  if (typeof sub !== 'string' || sub === '' || typeof aud !== 'string') return null;
  if (typeof sid !== 'string' || sid === '' || typeof jti !== 'string' || jti === '') return null;
  if (typeof iat !== 'number' || typeof exp !== 'number') return null;
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) return null;
  return Object.freeze({
    userId: sub,
    app: aud,
    sessionId: sid,
    tokenId: jti,
    roles: Object.freeze([...roles]) as string[],
    issuedAt: iat,
    expiresAt: exp,
  });
}
