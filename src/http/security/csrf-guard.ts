import type { Plugin } from 'graphql-yoga';
import type { AppConfig } from '../../config/index.js';
import { readAuthCookies } from './cookies.js';
import { type CsrfBinding, checkCsrf } from './csrf.js';

/**
 * Whether Yoga would execute `request` as GraphQL. Yoga's own route check is loose (a URL that merely
 * ends with the endpoint, or the endpoint plus `/`, is served too), so every guard that is meant for
 * GraphQL requests asks this, not `pathname === endpoint`.
 */
export function reachesGraphQL(request: Request, url: URL, endpoint: string): boolean {
  return (
    url.pathname === endpoint ||
    url.pathname === `${endpoint}/` ||
    request.url.endsWith(endpoint) ||
    request.url.endsWith(`${endpoint}/`) ||
    url.pathname.startsWith(`${endpoint}/`)
  );
}

/** Serves GraphQL on exactly one path: the other paths Yoga would also execute answer 404. */
export function useSingleGraphQLPath(endpoint = '/graphql'): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint && reachesGraphQL(request, url, endpoint)) {
        endResponse(new fetchAPI.Response('', { status: 404, headers: { 'cache-control': 'no-store' } }));
      }
    },
  };
}

/**
 * Refuses, before any parsing, a GraphQL request that carries Gatehouse cookies but no Authorization
 * header unless it passes the CSRF check: such a request is cookie-authenticated, and a cookie
 * travels by itself with requests that other pages (even other ports of the same host) make.
 * Whatever the path or body type: a cookie request that is not JSON is refused.
 */
export function useCookieCsrfGuard(
  appOf: (request: Request) => AppConfig | undefined,
  binding: CsrfBinding,
  endpoint = '/graphql',
): Plugin {
  return {
    // Synchronous until a request may be cookie-authenticated: the others pass without a promise.
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method === 'OPTIONS' || request.headers.has('authorization')) return;
      if (!reachesGraphQL(request, url, endpoint)) return;
      const app = appOf(request);
      if (!app?.cookies.enabled) return;
      return guard(request, app, endResponse, fetchAPI);
    },
  };
  async function guard(
    request: Request,
    app: AppConfig,
    endResponse: (response: Response) => void,
    fetchAPI: { Response: typeof Response },
  ): Promise<void> {
    const { access, refresh } = await readAuthCookies(request, app);
    if (!access && !refresh) return;
    const verdict = await checkCsrf(request, app, binding);
    if (verdict === 'ok') return;
    endResponse(
      fetchAPI.Response.json(
        {
          errors: [{ message: 'Missing or invalid CSRF token', extensions: { code: 'FORBIDDEN', reason: verdict } }],
        },
        { status: 403, headers: { 'cache-control': 'no-store' } },
      ),
    );
  }
}
