// Over undici's dispatcher API rather than the global fetch or node:http: fetch's Request and fetch algorithm
// cost ~170 µs per downstream call, node:http's ClientRequest ~100 µs, undici.request ~40 µs
// (bench/results/profile-http). undici also honours the server's `Keep-Alive: timeout` hint, so an idle
// socket the downstream is about to close is not reused (node:http's agent can pick one and fail the call
// with "socket hang up").
import { Agent, request } from 'undici';

export interface DownstreamInit {
  method: string;
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
}

/** A downstream's answer as it came: status, headers and the whole body. */
export interface DownstreamAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

/**
 * One request with a string body over a persistent keep-alive pool (per origin, http or https by
 * the URL). Redirects are not followed: a downstream call carries a signed identity and the
 * caller's token, which go only to the URL the manifest names. The signal aborts the call
 * (timeouts). Failures as the global fetch reports them (what the error masking and the tests
 * know): the signal's reason when aborted, else TypeError('fetch failed') with the cause.
 */
export function downstreamClient(): (url: string, init: DownstreamInit) => Promise<DownstreamAnswer> {
  const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000 });
  return async (url, init) => {
    try {
      const res = await request(url, {
        method: init.method as 'POST',
        headers: init.headers,
        body: init.body,
        dispatcher,
        signal: init.signal,
      });
      return { status: res.statusCode, headers: res.headers, body: await res.body.bytes() };
    } catch (err) {
      throw init.signal?.aborted ? init.signal.reason : new TypeError('fetch failed', { cause: err });
    }
  };
}

/** A downstream's answer as a Fetch Response (what @graphql-tools/executor-http consumes). */
export function toResponse({ status, headers: raw, body }: DownstreamAnswer): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  // 1xx, 204 and 304 carry no body: a Response refuses one
  const empty = status === 204 || status === 304 || status < 200;
  return new Response(empty ? null : (body as Uint8Array<ArrayBuffer>), { status, headers });
}
