import { timingSafeEqual } from 'node:crypto';
import {
  APP_HEADER,
  bodyHash,
  type CanonicalFields,
  macV2,
  NONCE_HEADER,
  SESSION_ID_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  USER_ID_HEADER,
} from '../vocabulary/index.js';
import { looksLikeV1, verifyV1 } from './gateway-v1.js';
import { createNonceStore, type NonceStore } from './nonce-store.js';

/** Fetch `Headers` (any implementation: servers often use a ponyfill) or Node's `IncomingHttpHeaders`. */
export type HeaderSource = Pick<Headers, 'get'> | Record<string, string | string[] | undefined>;

/** The request as the service received it: the body is the raw bytes (or their UTF-8 text), unparsed. */
export interface GatewayRequest {
  method: string;
  headers: HeaderSource;
  body: string | Uint8Array | null | undefined;
}

/** The most a signed call may be off from the service's clock, and the default. */
export const MAX_WINDOW_SECONDS = 10;

export interface VerifyOptions {
  /** This service's name as the manifest spells it; only the v1 form needs it (v2 keys are per service). */
  service?: string;
  /** How far (seconds) the call's timestamp may be from now, either way: default and maximum 10. */
  maxAgeSeconds?: number;
  /** Seconds since the epoch (default: now). */
  now?: number;
  /** Where accepted nonces are remembered (default: one bounded in-memory store per process). */
  nonceStore?: NonceStore;
  /** Also accept the replayable v1 form (default false): only while the gateway is being upgraded. */
  allowV1?: boolean;
}

export type GatewayRefusal =
  | 'missing' // no X-Gatehouse-Signature
  | 'malformed' // a header is not in its form, or too long
  | 'no-body' // a v2 signature, but the caller passed headers only: the body is what it signs
  | 'expired' // the timestamp is outside the window
  | 'bad-signature' // the HMAC does not cover what was received
  | 'replayed' // the nonce was already accepted (or the nonce store is full)
  | 'v1-refused' // the old form, and allowV1 is not set
  | 'store-failed'; // the nonce store threw or rejected: fail closed

export type GatewayVerification =
  | {
      ok: true;
      version: 1 | 2;
      /** Seconds since the epoch. */
      issuedAt: number;
      app: string | null;
      userId: string | null;
      sessionId: string | null;
    }
  | { ok: false; reason: GatewayRefusal };

const V2 = /^v2=([A-Za-z0-9_-]{43})$/;
const NONCE = /^[A-Za-z0-9_-]{22}$/;
const TIMESTAMP = /^\d{1,16}$/;
const METHOD = /^[A-Za-z]{1,16}$/;
/** App slugs, user and session ids: bounded, and no control characters (the canonical string is line-based). */
function isField(s: string): boolean {
  if (s.length > 256) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

let processStore: NonceStore | undefined;
const defaultStore = () => {
  processStore ??= createNonceStore();
  return processStore;
};

function header(headers: HeaderSource, name: string): string | null {
  if (typeof headers.get === 'function') return (headers as Pick<Headers, 'get'>).get(name);
  const v = (headers as Record<string, unknown>)[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : first == null ? null : String(first);
}

const isRequest = (r: unknown): r is GatewayRequest =>
  typeof r === 'object' &&
  r !== null &&
  typeof (r as GatewayRequest).method === 'string' &&
  typeof (r as GatewayRequest).headers === 'object' &&
  (r as GatewayRequest).headers !== null;

/** `maxAgeSeconds` made safe: anything but a finite non-negative number is the maximum; never more than it. */
const windowSeconds = (s: number | undefined) =>
  typeof s === 'number' && Number.isFinite(s) && s >= 0 ? Math.min(s, MAX_WINDOW_SECONDS) : MAX_WINDOW_SECONDS;

/** Decodes base64url only when it is the canonical encoding of `bytes` bytes (no malleable spellings). */
function canonicalBase64url(s: string, bytes: number): Buffer | null {
  const b = Buffer.from(s, 'base64url');
  return b.length === bytes && b.toString('base64url') === s ? b : null;
}

/**
 * For downstream services: did this request come through the gateway, unchanged and only once?
 * Checks the v2 HMAC (in constant time) over the method, the SHA-256 of the raw body, app, user,
 * session, nonce and timestamp as received; that the timestamp is within ±10 s (or less); and,
 * last, that the nonce was not accepted before. Resolves the identity the gateway vouches for or
 * a refusal reason; never throws, whatever the input. Accepts the request as `{ method, headers,
 * body }` (headers: Fetch `Headers` or Node's `IncomingHttpHeaders`); the key as bytes or base64url.
 * Given headers only (the v1-era call), a v2 signature is refused with `no-body`.
 */
export async function verifyGatewaySignature(
  request: GatewayRequest | HeaderSource,
  key: Uint8Array | string,
  opts: VerifyOptions = {},
): Promise<GatewayVerification> {
  let parsed: Parsed | GatewayVerification;
  try {
    parsed = parse(request, key, opts);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if ('ok' in parsed) return parsed;
  try {
    const seen = await (opts.nonceStore ?? defaultStore()).seen(parsed.nonce, parsed.ttlMs);
    if (seen !== false) return { ok: false, reason: 'replayed' };
  } catch {
    return { ok: false, reason: 'store-failed' };
  }
  return parsed.verified;
}

interface Parsed {
  nonce: string;
  ttlMs: number;
  verified: GatewayVerification;
}

/** Everything but the nonce store: synchronous, and the store is only reached by a valid HMAC. */
function parse(request: GatewayRequest | HeaderSource, key: Uint8Array | string, opts: VerifyOptions) {
  const req = isRequest(request) ? request : null;
  const headers = req ? req.headers : (request as HeaderSource | null);
  if (typeof headers !== 'object' || headers === null) return refuse('missing');
  const raw = header(headers, SIGNATURE_HEADER)?.trim() ?? null;
  if (raw === null || raw === '') return refuse('missing');
  if (raw.length > 128) return refuse('malformed');
  const k = typeof key === 'string' ? Buffer.from(key, 'base64url') : key;
  if (!(k instanceof Uint8Array) || k.length === 0) return refuse('bad-signature');
  const ident = {
    app: header(headers, APP_HEADER) ?? '',
    userId: header(headers, USER_ID_HEADER) ?? '',
    sessionId: header(headers, SESSION_ID_HEADER) ?? '',
  };
  if (!isField(ident.app) || !isField(ident.userId) || !isField(ident.sessionId)) return refuse('malformed');
  const windowMs = windowSeconds(opts.maxAgeSeconds) * 1000;
  const nowMs = (typeof opts.now === 'number' ? opts.now : Date.now() / 1000) * 1000;
  const identity = {
    app: ident.app || null,
    userId: ident.userId || null,
    sessionId: ident.sessionId || null,
  };

  if (looksLikeV1(raw)) {
    if (!opts.allowV1) return refuse('v1-refused');
    if (typeof opts.service !== 'string') return refuse('malformed');
    const t = Number(raw.slice(2, raw.indexOf(',')));
    if (Math.abs(nowMs - t * 1000) > windowMs) return refuse('expired');
    const at = verifyV1(k, { raw, service: opts.service, app: ident.app, userId: ident.userId });
    if (at === null) return refuse('bad-signature');
    // v1 has no nonce: it is replayable within its window, which is why it is off by default.
    return { ok: true, version: 1, issuedAt: at, ...identity, sessionId: null } as const;
  }

  const m = V2.exec(raw);
  const given = m ? canonicalBase64url(m[1]!, 32) : null;
  if (!given) return refuse('malformed');
  const timestamp = header(headers, TIMESTAMP_HEADER)?.trim() ?? '';
  const nonce = header(headers, NONCE_HEADER)?.trim() ?? '';
  if (!TIMESTAMP.test(timestamp) || !NONCE.test(nonce) || !canonicalBase64url(nonce, 16)) return refuse('malformed');
  if (!req || req.body === null || req.body === undefined) return refuse('no-body');
  const body = req.body;
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return refuse('malformed');
  if (!METHOD.test(req.method)) return refuse('malformed');
  const ts = Number(timestamp);
  if (Math.abs(nowMs - ts) > windowMs) return refuse('expired');
  const fields: CanonicalFields = {
    method: req.method.toUpperCase(),
    bodyHash: bodyHash(body),
    ...ident,
    nonce,
    timestamp,
  };
  const expected = macV2(k, fields);
  if (!timingSafeEqual(given, expected)) return refuse('bad-signature');
  const verified: GatewayVerification = { ok: true, version: 2, issuedAt: ts / 1000, ...identity };
  // Kept while its timestamp can still pass the window check: up to windowMs after now (+1 s slack).
  return { nonce, ttlMs: 2 * windowMs + 1000, verified } satisfies Parsed;
}

const refuse = (reason: GatewayRefusal): GatewayVerification => ({ ok: false, reason });
