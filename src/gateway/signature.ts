import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * A short-lived assertion the gateway adds to every downstream call, so a service behind it can
 * refuse traffic that went around it (and with it, around @auth / @permission).
 *
 *   X-Gatehouse-Signature: t=<unix seconds>,v1=<base64url HMAC-SHA256>
 *
 * over `gatehouse-gateway-v1 \n service \n t \n app \n userId`. The key is per service, derived
 * from GATEHOUSE_SECRET with HKDF, so a service holds only its own key and an assertion made for
 * one service does not verify at another.
 */
export const SIGNATURE_HEADER = 'x-gatehouse-signature';
export const APP_HEADER = 'x-gatehouse-app';
export const USER_ID_HEADER = 'x-gatehouse-user-id';

const VERSION = 'gatehouse-gateway-v1';
const FORMAT = /^t=(\d{1,12}),v1=([A-Za-z0-9_-]{43})$/;

/** The HMAC key the gateway uses for `service` (32 bytes). */
export function deriveGatewayKey(secret: string, service: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'gatehouse', `${VERSION}/${service}`, 32));
}

/** The key as the operator hands it to the downstream service (base64url). */
export const exportGatewayKey = (secret: string, service: string): string =>
  deriveGatewayKey(secret, service).toString('base64url');

export interface GatewayIdentity {
  /** The app slug of the request, or null for the gateway's own calls (loading the SDL). */
  app: string | null;
  /** The verified caller, or null when anonymous. */
  userId: string | null;
}

const mac = (key: Uint8Array, service: string, t: number, who: GatewayIdentity) =>
  createHmac('sha256', key)
    .update(`${VERSION}\n${service}\n${t}\n${who.app ?? ''}\n${who.userId ?? ''}`)
    .digest();

/** The headers that carry (and the header that signs) the caller's identity to `service`. */
export function gatewayHeaders(
  key: Uint8Array,
  service: string,
  who: GatewayIdentity,
  nowSeconds: number,
): Record<string, string> {
  const t = Math.floor(nowSeconds);
  const headers: Record<string, string> = {
    [SIGNATURE_HEADER]: `t=${t},v1=${mac(key, service, t, who).toString('base64url')}`,
  };
  if (who.app !== null) headers[APP_HEADER] = who.app;
  if (who.userId !== null) headers[USER_ID_HEADER] = who.userId;
  return headers;
}

/** Fetch `Headers` (any implementation: servers often use a ponyfill) or Node's `IncomingHttpHeaders`. */
export type HeaderSource = Pick<Headers, 'get'> | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** This service's name, as the gateway's manifest `downstream` entry spells it. */
  service: string;
  /** How old an assertion may be (default 60 s; the gateway signs each call, so keep it short). */
  maxAgeSeconds?: number;
  /** Seconds since the epoch (default: now). */
  now?: number;
}

export type GatewayVerification =
  | ({ ok: true; issuedAt: number } & GatewayIdentity)
  | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'bad-signature' };

function header(headers: HeaderSource, name: string): string | null {
  if (typeof headers.get === 'function') return (headers as Pick<Headers, 'get'>).get(name);
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

/**
 * For downstream services: did this request come through the gateway? Checks the HMAC over the
 * app and user id headers as received (so neither can be swapped) and the assertion's age.
 * Accepts a Fetch `Headers` or Node's `IncomingHttpHeaders`; the key as bytes or base64url.
 */
export function verifyGatewaySignature(
  headers: HeaderSource,
  key: Uint8Array | string,
  opts: VerifyOptions,
): GatewayVerification {
  const raw = header(headers, SIGNATURE_HEADER);
  if (raw === null) return { ok: false, reason: 'missing' };
  const m = FORMAT.exec(raw.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const t = Number(m[1]);
  const now = opts.now ?? Date.now() / 1000;
  if (Math.abs(now - t) > (opts.maxAgeSeconds ?? 60)) return { ok: false, reason: 'expired' };
  const who: GatewayIdentity = { app: header(headers, APP_HEADER), userId: header(headers, USER_ID_HEADER) };
  const k = typeof key === 'string' ? Buffer.from(key, 'base64url') : key;
  const expected = mac(k, opts.service, t, who);
  const given = Buffer.from(m[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad-signature' };
  return { ok: true, issuedAt: t, ...who };
}
