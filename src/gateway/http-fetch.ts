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

/**
 * A fetch for downstream calls: one request with a string body over a persistent keep-alive pool
 * (per origin, http or https by the URL), answered with a Fetch Response. Redirects are not
 * followed: a downstream call carries a signed identity and the caller's token, which go only to
 * the URL the manifest names. The signal aborts the call (timeouts).
 */
export function keepAliveFetch(): (url: string, init: DownstreamInit) => Promise<Response> {
  const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000 });
  return async (url, init) => {
    let res: Awaited<ReturnType<typeof request>>;
    let bytes: Uint8Array;
    try {
      res = await request(url, {
        method: init.method as 'POST',
        headers: init.headers,
        body: init.body,
        dispatcher,
        signal: init.signal,
      });
      bytes = await res.body.bytes();
    } catch (err) {
      // Failures as the global fetch reports them (what the error masking and the tests know):
      // the signal's reason when aborted, else TypeError('fetch failed') with the cause.
      throw init.signal?.aborted ? init.signal.reason : new TypeError('fetch failed', { cause: err });
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    }
    const status = res.statusCode;
    // 1xx, 204 and 304 carry no body: a Response refuses one
    const empty = status === 204 || status === 304 || status < 200;
    return new Response(empty ? null : (bytes as Uint8Array<ArrayBuffer>), { status, headers });
  };
}
