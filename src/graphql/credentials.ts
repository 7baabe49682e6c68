import type { AuthResult, RequestInfo } from '../flows/index.js';
import { clearAuthCookies, readAuthCookies, setAuthCookies } from '../http/security/index.js';
import type { GatehouseContext } from './context.js';
import { unauthenticated } from './errors.js';
import type { AuthPayloadView } from './types/auth-payload.js';

export const requestInfo = (ctx: GatehouseContext): RequestInfo => ({ ip: ctx.clientIp, userAgent: ctx.userAgent });

/** Hands a fresh token pair to the client: in the body, or (cookie mode) as cookies with a null body token. */
export async function deliver(ctx: GatehouseContext, result: AuthResult): Promise<AuthPayloadView> {
  if (!ctx.app.cookies.enabled) return { result, refreshTokenInBody: true };
  await setAuthCookies(ctx.request, ctx.app, {
    accessToken: result.accessToken,
    accessExpiresAt: result.accessExpiresAt,
    refreshToken: result.refreshToken,
    refreshExpiresAt: Math.floor(result.session.expiresAt.getTime() / 1000),
  });
  return { result, refreshTokenInBody: false };
}

/** The refresh token of a `refresh` call: the argument, else (cookie mode) the gh_refresh cookie. */
export async function refreshTokenOf(ctx: GatehouseContext, arg: string | null | undefined): Promise<string> {
  if (arg) return arg;
  if (ctx.app.cookies.enabled) {
    const fromCookie = (await readAuthCookies(ctx.request)).refresh;
    if (fromCookie) return fromCookie; // the CSRF guard has checked this cookie request
  }
  throw unauthenticated('Invalid refresh token');
}

export async function forget(ctx: GatehouseContext): Promise<void> {
  if (ctx.app.cookies.enabled) await clearAuthCookies(ctx.request, ctx.app);
}
