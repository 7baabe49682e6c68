import type { Plugin } from 'graphql-yoga';

/** The node:http request Yoga was called with, when there is one. */
export interface PeerContext {
  req?: { socket?: { remoteAddress?: string | undefined } | undefined } | undefined;
}

export interface SecurityHeadersOptions {
  /** Peers whose `X-Forwarded-Proto` is believed (manifest `server.http.trusted_proxies`). */
  trustedProxies: readonly string[];
  /** Default `/graphql`: its responses are never cached. */
  graphqlEndpoint?: string;
  /** Yoga serves GraphiQL (development): its page gets the CSP it needs to run, nothing else does. */
  graphiql?: boolean;
}

/** An API answers JSON: nothing may load, frame or be based on it. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/** GraphiQL's page loads its bundle and workers from unpkg and runs inline bootstrap code. */
export const GRAPHIQL_CSP =
  "default-src 'none'; script-src 'unsafe-inline' https://unpkg.com; style-src 'unsafe-inline' https://unpkg.com; " +
  "font-src data: https://unpkg.com; img-src data: https:; worker-src blob: https://unpkg.com; connect-src 'self' https://unpkg.com; " +
  "frame-ancestors 'none'; base-uri 'none'";
export const HSTS = 'max-age=31536000; includeSubDomains';

const unmapped = (ip: string) => (ip.startsWith('::ffff:') ? ip.slice(7) : ip);

/**
 * Whether the client reached us over https: the URL's own scheme (TLS terminated here), or the
 * first `X-Forwarded-Proto` hop when the peer is a trusted proxy (a client cannot claim it).
 */
export function isHttps(request: Request, peer: string | undefined, trusted: ReadonlySet<string>): boolean {
  if (HTTPS_URL.test(request.url)) return true;
  if (!peer || !trusted.has(unmapped(peer))) return false;
  return request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

const HTTPS_URL = /^https:/i;

/** Adds `token` to a comma-separated `Vary` unless it is already there. */
function vary(headers: Headers, token: string): void {
  const current = headers.get('vary');
  if (!current) headers.set('vary', token);
  else if (!current.split(',').some((t) => t.trim().toLowerCase() === token.toLowerCase() || t.trim() === '*')) {
    headers.set('vary', `${current}, ${token}`);
  }
}

/**
 * Browser hardening on every response Yoga sends, errors and extra routes included: no sniffing,
 * no referrer, no framing, a CSP that allows nothing, HSTS over https, `no-store` for GraphQL
 * on every response that does not declare itself cacheable (tokens, cookies, personal data) and `Vary: Origin` (CORS answers differ by origin).
 */
export function useSecurityHeaders(options: SecurityHeadersOptions): Plugin<Record<string, unknown>, PeerContext> {
  const trusted = new Set(options.trustedProxies.map(unmapped));
  const endpoint = options.graphqlEndpoint ?? '/graphql';
  const path = (request: Request) => new URL(request.url).pathname;
  return {
    // Per response: plain sets on the headers Yoga built (no URL parsing, no delete that would
    // turn them into a Map and cost the Node adapter its single-writeHead path).
    onResponse({ request, response, serverContext }) {
      const h = response.headers;
      const graphiqlPage =
        options.graphiql === true &&
        (h.get('content-type') ?? '').startsWith('text/html') &&
        path(request) === endpoint;
      h.set('x-content-type-options', 'nosniff');
      h.set('referrer-policy', 'no-referrer');
      h.set('x-frame-options', 'DENY');
      h.set('content-security-policy', graphiqlPage ? GRAPHIQL_CSP : API_CSP);
      h.set('cross-origin-resource-policy', 'same-origin');
      if (isHttps(request, serverContext.req?.socket?.remoteAddress, trusted)) h.set('strict-transport-security', HSTS);
      // Anything may carry or set credentials unless a route said otherwise (the public JWKS);
      // a response that sets cookies is never cacheable, whatever it said.
      if (!h.has('cache-control') || h.has('set-cookie') || path(request) === endpoint)
        h.set('cache-control', 'no-store');
      if (h.has('x-powered-by')) h.delete('x-powered-by');
      vary(h, 'Origin');
    },
  };
}
