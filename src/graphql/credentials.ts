import type { AuthResult, RequestInfo } from '../flows/index.js';
import type { GatehouseContext, RequestCredentials } from './context.js';
import { gatehouseError, unauthenticated } from './errors.js';
import type { AuthPayloadView } from './types/index.js';

export const requestInfo = (ctx: GatehouseContext): RequestInfo => ({ ip: ctx.clientIp, userAgent: ctx.userAgent });

const csrfRefusal = (reason: string) =>
  gatehouseError('FORBIDDEN', 'Missing or invalid CSRF token', { reason, status: 403 });

/** Cookie mode needs the HTTP layer's credentials in the context (createGatehouseYoga puts them there). */
function sink(ctx: GatehouseContext): RequestCredentials {
  if (!ctx.credentials) throw new Error('cookie mode needs the credentials the HTTP layer puts into the context');
  return ctx.credentials;
}

/**
 * Cookie mode: a mutation that is about to set session cookies must come from a page we trust
 * (Fetch Metadata or Origin), or a cross-site form could sign the victim's browser into the
 * attacker's account (login CSRF). Checked before any work is done.
 */
export function assertMayIssueCookies(ctx: GatehouseContext): void {
  if (ctx.app.cookies.enabled && !sink(ctx).fromTrustedPage()) throw csrfRefusal('bad-origin');
}

/** Hands a fresh token pair to the client: in the body, or (cookie mode) only as cookies. */
export async function deliver(ctx: GatehouseContext, result: AuthResult): Promise<AuthPayloadView> {
  if (!ctx.app.cookies.enabled) return { result, tokensInBody: true };
  await sink(ctx).deliver({
    accessToken: result.accessToken,
    accessExpiresAt: result.accessExpiresAt,
    refreshToken: result.refreshToken,
    refreshExpiresAt: Math.floor(result.session.expiresAt.getTime() / 1000),
    sessionId: result.session.id,
  });
  return { result, tokensInBody: false };
}

/** The refresh token of a `refresh` call: the argument, else (cookie mode) the gh_refresh cookie. */
export async function refreshTokenOf(
  ctx: GatehouseContext,
  arg: string | null | undefined,
): Promise<{ token: string; fromCookie: boolean }> {
  if (arg) return { token: arg, fromCookie: false };
  if (ctx.app.cookies.enabled) {
    const fromCookie = await sink(ctx).refreshCookie();
    if (fromCookie) return { token: fromCookie, fromCookie: true }; // the CSRF guard has checked this cookie request
  }
  throw unauthenticated('Invalid refresh token');
}

/**
 * A cookie refresh names its session only through the refresh token, so the CSRF token's binding
 * is checked here, once the session is known: a token made for another session is refused and
 * nothing is delivered (the rotation it caused is undone by the grace window: the rightful tab's
 * next refresh with the old cookie receives the same successor).
 */
export function assertCsrfBoundTo(ctx: GatehouseContext, sessionId: string): void {
  if (!sink(ctx).csrfBoundTo(sessionId)) throw csrfRefusal('unbound-token');
}

export async function forget(ctx: GatehouseContext): Promise<void> {
  if (ctx.app.cookies.enabled) await sink(ctx).forget();
}
