export { useCloseAfterTooLarge, useRequestBodyLimit } from './body-limit.js';
export {
  ACCESS_COOKIE,
  type AuthCookies,
  type AuthCookieTokens,
  type CookieNames,
  CSRF_COOKIE,
  clearAuthCookies,
  cookieNames,
  cookiesAreSecure,
  REFRESH_COOKIE,
  REFRESH_COOKIE_PATH,
  readAuthCookies,
  setAuthCookies,
  useCookies,
} from './cookies.js';
export { CORS_ALLOWED_HEADERS, corsOptions } from './cors.js';
export { CREDENTIAL_FIELDS, singleCredentialFieldRule, useSingleCredentialField } from './credential-fields.js';
export {
  CSRF_HEADER,
  type CsrfBinding,
  type CsrfVerdict,
  checkCsrf,
  csrfBinding,
  fromTrustedPage,
  isJsonRequest,
  sessionIdOf,
} from './csrf.js';
export { reachesGraphQL, useCookieCsrfGuard, useSingleGraphQLPath } from './csrf-guard.js';
export { type HardeningOptions, introspectionEnabled, MAX_DIRECTIVES, useGraphQLHardening } from './hardening.js';
export {
  API_CSP,
  GRAPHIQL_CSP,
  HSTS,
  isHttps,
  type PeerContext,
  type SecurityHeadersOptions,
  useSecurityHeaders,
} from './headers.js';
export { yogaSecurityOptions } from './yoga-options.js';
