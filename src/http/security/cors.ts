import type { YogaServerOptions } from 'graphql-yoga';

type CorsOption = NonNullable<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors']>;

/** Request headers a browser client of Gatehouse sends. */
export const CORS_ALLOWED_HEADERS = ['content-type', 'authorization', 'x-csrf-token', 'x-gatehouse-app'];

/**
 * Yoga's `cors` option from `server.http.cors_origins`. Only an allow-listed `Origin` is echoed,
 * with credentials; any other origin (preflight or not) gets no CORS headers at all, so the browser
 * blocks it. Never `*`. Yoga's own defaults would echo every origin with credentials, and with a
 * one-entry list answer that entry to everyone — hence a factory. `Vary: Origin` comes from
 * useSecurityHeaders, on every response.
 */
export function corsOptions(origins: readonly string[]): CorsOption {
  const allowed = new Set(origins.map((o) => new URL(o).origin));
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !allowed.has(origin)) return false;
    return {
      origin,
      credentials: true,
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: ['retry-after'],
      maxAge: 600,
    };
  };
}
