// Hand-written over node:http rather than the global fetch (undici): building its Request and running its fetch
// algorithm cost ~170 µs per downstream call, most of a gateway request's own work (bench/results/profile-http).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface DownstreamInit {
  method: string;
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
}

/** Keep-alive sockets per downstream: a call reuses an idle connection instead of a handshake. */
const AGENT_OPTIONS = {
  keepAlive: true,
  keepAliveMsecs: 1000,
  maxSockets: 256,
  maxFreeSockets: 64,
  scheduling: 'lifo' as const,
};

/**
 * A fetch for downstream calls: one POST of a string body over a persistent keep-alive agent
 * (http or https by the URL), answered with a Fetch Response. Redirects are not followed: a
 * downstream call carries a signed identity and the caller's token, which go only to the URL the
 * manifest names. The signal aborts the call (timeouts).
 */
export function keepAliveFetch(): (url: string, init: DownstreamInit) => Promise<Response> {
  const http = new HttpAgent(AGENT_OPTIONS);
  const https = new HttpsAgent(AGENT_OPTIONS);
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const secure = url.startsWith('https:');
      const send = secure ? httpsRequest : httpRequest;
      const headers = { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
      const req = send(
        url,
        { method: init.method, headers, agent: secure ? https : http, signal: init.signal },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => reject(new TypeError('fetch failed', { cause: err })));
          res.on('end', () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value === undefined) continue;
              for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
            }
            const status = res.statusCode ?? 502;
            // 1xx, 204 and 304 carry no body: a Response refuses one
            const empty = status === 204 || status === 304 || status < 200;
            resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
          });
        },
      );
      // Failures as the global fetch reports them (what the error masking and the tests know):
      // the signal's reason when aborted, else TypeError('fetch failed') with the cause.
      const fail = (err: unknown) =>
        reject(init.signal?.aborted ? init.signal.reason : new TypeError('fetch failed', { cause: err }));
      req.on('error', fail);
      req.end(init.body);
    });
}
