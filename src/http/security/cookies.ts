// Also declares `Request.cookieStore`, which the useCookies() plugin fills for every request.
import { useCookies } from '@whatwg-node/server-plugin-cookies';
import type { AppConfig } from '../../config/index.js';

export { useCookies };

export const ACCESS_COOKIE = 'gh_access';
export const REFRESH_COOKIE = 'gh_refresh';
export const CSRF_COOKIE = 'gh_csrf';
/** The refresh token travels only to the endpoint that uses it. */
export const REFRESH_COOKIE_PATH = '/graphql';

export interface CookieNames {
  access: string;
  refresh: string;
  csrf: string;
}

/** Secure whenever the manifest says so, and always with SameSite=None (browsers demand it). */
export const cookiesAreSecure = (app: AppConfig) => app.cookies.secure || app.cookies.sameSite === 'none';

/**
 * The cookie names of an app. Secure cookies carry the browser-enforced prefixes: `__Host-` (Secure,
 * Path=/, no Domain) for gh_access and gh_csrf, `__Secure-` for gh_refresh (its Path is /graphql), so
 * neither a sibling subdomain nor a plain-http page can plant or overwrite them. Without Secure
 * (local development over http) the prefixes are not allowed, and the plain names are used.
 */
export function cookieNames(app: AppConfig): CookieNames {
  if (!cookiesAreSecure(app)) return { access: ACCESS_COOKIE, refresh: REFRESH_COOKIE, csrf: CSRF_COOKIE };
  return { access: `__Host-${ACCESS_COOKIE}`, refresh: `__Secure-${REFRESH_COOKIE}`, csrf: `__Host-${CSRF_COOKIE}` };
}

export interface AuthCookieTokens {
  accessToken: string;
  /** Seconds since the epoch (as IssuedToken.expiresAt). */
  accessExpiresAt: number;
  refreshToken: string;
  /** Seconds since the epoch: the session's expiry. */
  refreshExpiresAt: number;
  /** The session-bound CSRF token (csrfBinding().tokenFor). */
  csrf: string;
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

/** Attributes shared by the three cookies. */
const common = (app: AppConfig) => ({
  secure: cookiesAreSecure(app),
  sameSite: app.cookies.sameSite,
  domain: null, // host-only: a sibling subdomain never receives them
});

function layout(app: AppConfig) {
  const names = cookieNames(app);
  return [
    { key: 'access', name: names.access, path: '/', httpOnly: true },
    { key: 'refresh', name: names.refresh, path: REFRESH_COOKIE_PATH, httpOnly: true },
    // Scripts of the page read it and echo it in X-CSRF-Token; another site can do neither.
    { key: 'csrf', name: names.csrf, path: '/', httpOnly: false },
  ] as const;
}

/** Cookie mode: hands the token pair to the browser (HttpOnly) plus the session's CSRF token (readable by scripts). */
export async function setAuthCookies(request: Request, app: AppConfig, tokens: AuthCookieTokens): Promise<void> {
  const store = storeOf(request);
  const values = {
    access: { value: tokens.accessToken, expires: tokens.accessExpiresAt * 1000 },
    refresh: { value: tokens.refreshToken, expires: tokens.refreshExpiresAt * 1000 },
    csrf: { value: tokens.csrf, expires: tokens.refreshExpiresAt * 1000 },
  };
  for (const { key, ...cookie } of layout(app)) await store.set({ ...common(app), ...cookie, ...values[key] });
}

/** Logout: expires all three cookies (same name, path and attributes, so the browser drops them). */
export async function clearAuthCookies(request: Request, app: AppConfig): Promise<void> {
  const store = storeOf(request);
  for (const { key: _key, ...cookie } of layout(app))
    await store.set({ ...common(app), ...cookie, value: '', expires: 0 });
}

/** The app's Gatehouse cookies the request carries (empty values count as absent; unprefixed look-alikes are ignored). */
export async function readAuthCookies(request: Request, app: AppConfig): Promise<AuthCookies> {
  const store = storeOf(request);
  const [access, refresh, csrf] = await Promise.all(layout(app).map((c) => store.get(c.name)));
  const present = (v: string | undefined) => (v ? v : undefined);
  return { access: present(access?.value), refresh: present(refresh?.value), csrf: present(csrf?.value) };
}
