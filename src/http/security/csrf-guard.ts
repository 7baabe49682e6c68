import type { Plugin } from 'graphql-yoga';
import type { AppConfig } from '../../config/index.js';
import { readAuthCookies } from './cookies.js';
import { checkCsrf } from './csrf.js';

/**
 * Refuses, before any parsing, a request that carries Gatehouse cookies but no Authorization
 * header unless it passes the CSRF check: such a request is cookie-authenticated, and a cookie
 * travels by itself with requests that other pages (even other ports of the same host) make.
 */
export function useCookieCsrfGuard(appOf: (request: Request) => AppConfig | undefined, endpoint = '/graphql'): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint || request.method === 'OPTIONS' || request.headers.has('authorization')) return;
      const app = appOf(request);
      if (!app?.cookies.enabled) return;
      const { access, refresh } = await readAuthCookies(request);
      if (!access && !refresh) return;
      const verdict = await checkCsrf(request, app);
      if (verdict === 'ok') return;
      endResponse(
        fetchAPI.Response.json(
          {
            errors: [{ message: 'Missing or invalid CSRF token', extensions: { code: 'FORBIDDEN', reason: verdict } }],
          },
          { status: 403 },
        ),
      );
    },
  };
}
