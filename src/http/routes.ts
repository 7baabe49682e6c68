import type { Plugin } from 'graphql-yoga';
import type { Services } from '../graphql/index.js';

/** Extra HTTP routes served beside /graphql. */
export function useRoutes(services: Services): Plugin {
  return {
    // not async: every other request passes through without a promise
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      switch (url.pathname) {
        case '/healthz':
          endResponse(fetchAPI.Response.json({ status: 'ok' }));
          return;
        case '/readyz':
          return services.database.ping(2000).then((ok) => {
            endResponse(
              fetchAPI.Response.json({ status: ok ? 'ready' : 'database unavailable' }, { status: ok ? 200 : 503 }),
            );
          });
        case '/.well-known/jwks.json':
          // Short cache: verifiers must see a rotated key soon after it appears.
          endResponse(
            fetchAPI.Response.json(services.tokens.jwks(), { headers: { 'cache-control': 'public, max-age=60' } }),
          );
          return;
      }
    },
  };
}
