// Hand-written beside jose (verifyAccessToken, which the library's verifier keeps using): jose 6 verifies through
// WebCrypto only, whose every call is a job on libuv's thread pool (4 threads, shared with argon2) plus a promise
// round trip; node:crypto's one-shot verify runs the same primitive synchronously on the calling thread.
// Called through the module object (not named imports), so a test can count signature checks.
import nodeCrypto, { type KeyObject } from 'node:crypto';
import type { AppConfig, SigningAlgorithm } from '../config/index.js';
import { ed25519 } from './ed25519.js';
import { CLOCK_TOLERANCE_S, MAX_TOKEN_LENGTH, TOKEN_TYPE, toVerified } from './access-token.js';
import { KID_PATTERN } from './keys.js';
import type { VerifiedToken } from './types.js';

/** The verification key of `kid` for `alg`: from memory when known, else after a (rate-limited) reload. */
export type KeyObjectLookup = (
  kid: string,
  alg: SigningAlgorithm,
) => KeyObject | undefined | Promise<KeyObject | undefined>;

/** One app's verification settings, built once per app. */
export interface LocalVerifyPlan {
  readonly alg: SigningAlgorithm;
  readonly issuer: string;
  readonly audience: string;
  /** Seconds: an `iat` older than this (plus the leeway) is refused. */
  readonly maxTokenAge: number;
  readonly key: KeyObjectLookup;
}

export function localVerifyPlan(app: AppConfig, key: KeyObjectLookup): LocalVerifyPlan {
  return Object.freeze({
    alg: app.tokens.algorithm,
    issuer: app.tokens.issuer,
    audience: app.slug,
    maxTokenAge: app.tokens.accessTtl,
    key,
  });
}

/** Compact JWS only: three base64url parts (as access-token.ts). */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;
/** The header members our tokens carry. Anything else (jku, x5u, jwk, x5c, crit, b64, …) means "not ours". */
const HEADER_MEMBERS = new Set(['alg', 'kid', 'typ']);
/** Claims that must be present (jose's requiredClaims of verifyPlan, plus iss and aud it adds for the options). */
const REQUIRED = ['exp', 'iat', 'sub', 'sid', 'jti', 'iss', 'aud'] as const;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** jose's typ comparison: case-insensitive, `application/` implied when there is no slash. */
const normalizeTyp = (typ: string) => (typ.includes('/') ? typ.toLowerCase() : `application/${typ.toLowerCase()}`);
const EXPECTED_TYP = normalizeTyp(TOKEN_TYPE);

function isObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A base64url part as a JSON object (strict UTF-8, as jose decodes), or undefined. */
function jsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(STRICT_UTF8.decode(Buffer.from(part, 'base64url')));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

const HS256_BYTES = 32;
const SIGNATURE_BYTES: Partial<Record<SigningAlgorithm, number>> = { EdDSA: 64, ES256: 64, HS256: HS256_BYTES };

/** The signature check of `alg`, synchronous. False for a wrong length or any crypto error. */
function signatureValid(alg: SigningAlgorithm, key: KeyObject, input: Buffer, signature: Buffer): boolean {
  const expected = SIGNATURE_BYTES[alg];
  if (expected !== undefined && signature.length !== expected) return false;
  try {
    switch (alg) {
      case 'EdDSA':
        return ed25519.verify(key, input, signature); // libsodium when installed (ed25519.ts)
      case 'ES256':
        return (
          key.asymmetricKeyType === 'ec' &&
          nodeCrypto.verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature)
        );
      case 'RS256':
        return key.asymmetricKeyType === 'rsa' && nodeCrypto.verify('sha256', input, key, signature);
      case 'HS256':
        return (
          key.type === 'secret' &&
          nodeCrypto.timingSafeEqual(nodeCrypto.createHmac('sha256', key).update(input).digest(), signature)
        );
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/** Where a compact JWS's parts end, once its header has passed (the kid still to be looked up). */
interface Parsed {
  readonly kid: string;
  readonly firstDot: number;
  readonly lastDot: number;
}

/** The compact form, length and header checks (everything before the key lookup); null to refuse. */
function parseHeader(token: string, plan: LocalVerifyPlan): Parsed | null {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return null;
  const firstDot = token.indexOf('.');
  const lastDot = token.lastIndexOf('.');
  const header = jsonPart(token.slice(0, firstDot));
  if (header === undefined) return null;
  for (const name in header) if (!HEADER_MEMBERS.has(name)) return null;
  const { alg, kid, typ } = header;
  if (alg !== plan.alg || typeof typ !== 'string' || normalizeTyp(typ) !== EXPECTED_TYP) return null;
  if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) return null;
  return { kid, firstDot, lastDot };
}

/** The signature, then the claims, of a token whose header passed, against the key its kid named. */
function verifyWithKey(
  token: string,
  { firstDot, lastDot }: Parsed,
  key: KeyObject | undefined,
  plan: LocalVerifyPlan,
  nowMs: number,
): VerifiedToken | null {
  if (key === undefined) return null;
  const input = Buffer.from(token.slice(0, lastDot), 'latin1');
  if (!signatureValid(plan.alg, key, input, Buffer.from(token.slice(lastDot + 1), 'base64url'))) return null;
  const claims = jsonPart(token.slice(firstDot + 1, lastDot));
  if (claims === undefined) return null;
  for (const name of REQUIRED) if (!Object.hasOwn(claims, name)) return null;
  if (claims.iss !== plan.issuer) return null;
  const { aud } = claims;
  if (!(aud === plan.audience || (Array.isArray(aud) && aud.includes(plan.audience)))) return null;
  const now = Math.floor(nowMs / 1000);
  const { iat, nbf, exp } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number') return null;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + CLOCK_TOLERANCE_S)) return null;
  if (exp <= now - CLOCK_TOLERANCE_S) return null;
  const age = now - iat;
  if (age - CLOCK_TOLERANCE_S > plan.maxTokenAge || age < -CLOCK_TOLERANCE_S) return null;
  return toVerified(claims);
}

/**
 * The token's claims if it is a valid access token under `plan` at `nowMs`; null for anything else
 * (fail closed). The same checks as verifyAccessToken with jose, in the same order of concern:
 * compact form and length; a header of exactly alg/kid/typ with the app's one algorithm, `typ`
 * at+jwt and a sane kid known to the keyring; the signature; then `iss`, `aud`, the required
 * claims, `nbf`, `exp` and `iat` (not in the future, not older than the token TTL), each with 5 s
 * of leeway — and the claim types toVerified demands. test/tokens/local-verify.test.ts holds it
 * to jose's verdict on forged tokens.
 *
 * Synchronous when the kid is in memory (every token but the first after a rotation elsewhere):
 * a first sight then costs no promise of its own; a promise only when the keyring must reload.
 */
export function verifyOwnToken(
  token: string,
  plan: LocalVerifyPlan,
  nowMs: number,
): VerifiedToken | null | Promise<VerifiedToken | null> {
  const parsed = parseHeader(token, plan);
  if (parsed === null) return null;
  const found = plan.key(parsed.kid, plan.alg);
  return found instanceof Promise
    ? found.then((key) => verifyWithKey(token, parsed, key, plan, nowMs))
    : verifyWithKey(token, parsed, found, plan, nowMs);
}
