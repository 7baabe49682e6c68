import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { AppConfig } from '../../config/index.js';
import { readAuthCookies } from './cookies.js';

export const CSRF_HEADER = 'x-csrf-token';

/** Why a cookie-authenticated request was refused (`extensions.reason`, lower-case as before). */
export type CsrfVerdict = 'ok' | 'missing-token' | 'bad-token' | 'bad-origin' | 'bad-content-type' | 'unbound-token';

/**
 * CSRF tokens bound to the session: HMAC(key, app, session id), so a token is valid only beside the
 * session it was issued with. A matching cookie and header pair planted by someone else (double
 * submit alone) does not pass: it was made for another session, or not by us.
 */
export interface CsrfBinding {
  tokenFor(app: string, sessionId: string): string;
  matches(token: string, app: string, sessionId: string): boolean;
}

// One per secret: the guard (HTTP layer) and the resolvers that set cookies share the derivation.
const bindings = new Map<string, CsrfBinding>();

export function csrfBinding(secret: string): CsrfBinding {
  let binding = bindings.get(secret);
  if (!binding) {
    const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'gatehouse/csrf-v1', 32));
    const tokenFor = (app: string, sessionId: string) =>
      createHmac('sha256', key).update(`${app}\n${sessionId}`).digest('base64url');
    binding = { tokenFor, matches: (token, app, sessionId) => sameToken(token, tokenFor(app, sessionId)) };
    bindings.set(secret, binding);
  }
  return binding;
}

/** The session id an access token names, unverified: only to pick the CSRF binding (the token is verified later). */
export function sessionIdOf(accessToken: string | undefined): string | undefined {
  if (!accessToken) return undefined;
  try {
    const { sid } = decodeJwt(accessToken);
    return typeof sid === 'string' ? sid : undefined;
  } catch {
    return undefined;
  }
}

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/**
 * The request comes from a page we trust: the browser says same-origin (Fetch Metadata), or its
 * `Origin` is ours or listed in `auth.cookies.allowed_origins` (cross-origin front ends, older
 * browsers). Neither header: not provably a page of ours — refused.
 */
export function fromTrustedPage(request: Request, app: AppConfig): boolean {
  if (request.headers.get('sec-fetch-site') === 'same-origin') return true;
  const origin = request.headers.get('origin');
  if (origin === null) return false;
  return origin === originOf(request.url) || app.cookies.allowedOrigins.some((o) => originOf(o) === origin);
}

/** A body-carrying request must be JSON: forms and text/plain are what cross-site pages can send without a preflight. */
export function isJsonRequest(request: Request): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

/** Constant-time equality that does not leak the length either. */
function sameToken(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * For a cookie-authenticated request (the caller decides that: no Authorization header, Gatehouse
 * cookies present): trusted origin, JSON, `X-CSRF-Token` equal to the gh_csrf cookie (double
 * submit), and that token bound to the access cookie's session. Without an access cookie (a
 * cookie `refresh`), the binding is checked against the session the refresh token belongs to,
 * by the refresh resolver. Yoga's CSRF plugin is not enough: it lets every JSON request through.
 */
export async function checkCsrf(request: Request, app: AppConfig, binding: CsrfBinding): Promise<CsrfVerdict> {
  if (!fromTrustedPage(request, app)) return 'bad-origin';
  if (!isJsonRequest(request)) return 'bad-content-type';
  const header = request.headers.get(CSRF_HEADER);
  const { csrf, access } = await readAuthCookies(request, app);
  if (!header || !csrf) return 'missing-token';
  if (!sameToken(header, csrf)) return 'bad-token';
  const sid = sessionIdOf(access);
  if (access && (!sid || !binding.matches(header, app.slug, sid))) return 'unbound-token';
  return 'ok';
}
