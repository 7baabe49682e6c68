import { randomBytes } from 'node:crypto';
// Also declares `Request.cookieStore`, which the useCookies() plugin fills for every request.
import { useCookies } from '@whatwg-node/server-plugin-cookies';
import type { AppConfig } from '../../config/index.js';

export { useCookies };

export const ACCESS_COOKIE = 'gh_access';
export const REFRESH_COOKIE = 'gh_refresh';
export const CSRF_COOKIE = 'gh_csrf';
/** The refresh token travels only to the endpoint that uses it. */
export const REFRESH_COOKIE_PATH = '/graphql';

export interface AuthCookieTokens {
  accessToken: string;
  /** Seconds since the epoch (as IssuedToken.expiresAt). */
  accessExpiresAt: number;
  refreshToken: string;
  /** Seconds since the epoch: the session's expiry. */
  refreshExpiresAt: number;
}

export interface AuthCookies {
  access?: string;
  refresh?: string;
  csrf?: string;
}

function storeOf(request: Request) {
  const store = request.cookieStore;
  if (!store) throw new Error('cookie helpers need the useCookies() plugin on the Yoga server');
  return store;
}

/** Attributes shared by the three cookies. SameSite=None is only accepted by browsers with Secure. */
const common = (app: AppConfig) => ({
  secure: app.cookies.secure || app.cookies.sameSite === 'none',
  sameSite: app.cookies.sameSite,
  domain: null, // host-only: a sibling subdomain never receives them
});

const layout = [
  { name: ACCESS_COOKIE, path: '/', httpOnly: true },
  { name: REFRESH_COOKIE, path: REFRESH_COOKIE_PATH, httpOnly: true },
  // Scripts of the page read it and echo it in X-CSRF-Token; another site can do neither.
  { name: CSRF_COOKIE, path: '/', httpOnly: false },
] as const;

/**
 * Cookie mode: hands the token pair to the browser as gh_access and gh_refresh (HttpOnly) plus a
 * fresh gh_csrf (32 random bytes, base64url, readable by scripts). Returns the CSRF token.
 */
export async function setAuthCookies(request: Request, app: AppConfig, tokens: AuthCookieTokens): Promise<string> {
  const store = storeOf(request);
  const csrf = randomBytes(32).toString('base64url');
  const values = {
    [ACCESS_COOKIE]: { value: tokens.accessToken, expires: tokens.accessExpiresAt * 1000 },
    [REFRESH_COOKIE]: { value: tokens.refreshToken, expires: tokens.refreshExpiresAt * 1000 },
    [CSRF_COOKIE]: { value: csrf, expires: tokens.refreshExpiresAt * 1000 },
  };
  for (const cookie of layout) await store.set({ ...common(app), ...cookie, ...values[cookie.name] });
  return csrf;
}

/** Logout: expires all three cookies (same name, path and attributes, so the browser drops them). */
export async function clearAuthCookies(request: Request, app: AppConfig): Promise<void> {
  const store = storeOf(request);
  for (const cookie of layout) await store.set({ ...common(app), ...cookie, value: '', expires: 0 });
}

/** The Gatehouse cookies the request carries (empty values count as absent). */
export async function readAuthCookies(request: Request): Promise<AuthCookies> {
  const store = storeOf(request);
  const [access, refresh, csrf] = await Promise.all(layout.map((c) => store.get(c.name)));
  const present = (v: string | undefined) => (v ? v : undefined);
  return { access: present(access?.value), refresh: present(refresh?.value), csrf: present(csrf?.value) };
}
