import pRetry from 'p-retry';
import type { Downstream } from '../config/index.js';
import type { SignedCall } from '../vocabulary/index.js';

export interface LoadOptions {
  /** Headers for the request, given its method and exact body (the gateway's signature, so a service that demands it answers). */
  headers?: (call: SignedCall) => Promise<Record<string, string>> | Record<string, string>;
  /** Tries in all (default 5). */
  attempts?: number;
  /** Wait before the second try; doubles after each failure (default 500 ms: 0.5+1+2+4 s ≈ 7.5 s of waiting). */
  delayMs?: number;
  /** Per-try timeout (default 3 s). */
  timeoutMs?: number;
}

export interface LoadedDownstream extends Downstream {
  sdl: string;
}

export class DownstreamUnavailableError extends Error {
  constructor(
    readonly service: Downstream,
    reason: string,
    attempts: number,
  ) {
    super(
      `downstream "${service.name}" (${service.url}): could not load its SDL with { _service { sdl } } ` +
        `after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}`,
    );
    this.name = 'DownstreamUnavailableError';
  }
}

// Serialised once: this exact string is what is signed and what is sent.
const QUERY = JSON.stringify({ query: '{ _service { sdl } }' });
const CALL = { method: 'POST', body: QUERY } satisfies SignedCall;

async function fetchSdl(d: Downstream, headers: Record<string, string>, timeoutMs: number): Promise<string> {
  const res = await fetch(d.url, {
    method: CALL.method,
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
    body: CALL.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let body: { data?: { _service?: { sdl?: unknown } } | null; errors?: { message?: string }[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}, not a GraphQL response`);
  }
  const sdl = body.data?._service?.sdl;
  if (typeof sdl === 'string' && sdl.trim()) return sdl;
  const why = body.errors?.[0]?.message;
  throw new Error(why ? `HTTP ${res.status}: ${why}` : `HTTP ${res.status}: no _service.sdl in the answer`);
}

/**
 * A downstream's SDL, directives included (introspection would drop them), from the Federation
 * convention `{ _service { sdl } }`. Retries with exponential backoff, since services often start
 * alongside the gateway; then fails naming the service and its URL.
 */
export async function loadDownstreamSdl(d: Downstream, opts: LoadOptions = {}): Promise<LoadedDownstream> {
  const attempts = Math.max(1, opts.attempts ?? 5);
  try {
    const sdl = await pRetry(async () => fetchSdl(d, (await opts.headers?.(CALL)) ?? {}, opts.timeoutMs ?? 3000), {
      retries: attempts - 1,
      factor: 2,
      minTimeout: opts.delayMs ?? 500,
      randomize: false,
      // Every failure of a downstream is worth another try (p-retry gives up on plain TypeErrors).
      shouldRetry: () => true,
    });
    return { ...d, sdl };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.message);
    throw new DownstreamUnavailableError(d, reason, attempts);
  }
}
