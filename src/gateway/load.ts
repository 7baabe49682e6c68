import { setTimeout as sleep } from 'node:timers/promises';
import type { Downstream } from '../config/index.js';

export interface LoadOptions {
  /** Headers for the request (the gateway's signature, so a service that demands it answers). */
  headers?: () => Promise<Record<string, string>> | Record<string, string>;
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

const QUERY = JSON.stringify({ query: '{ _service { sdl } }' });

async function fetchSdl(d: Downstream, headers: Record<string, string>, timeoutMs: number): Promise<string> {
  const res = await fetch(d.url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
    body: QUERY,
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
  let delay = opts.delayMs ?? 500;
  let reason = 'no attempt made';
  for (let i = 1; i <= attempts; i++) {
    try {
      const sdl = await fetchSdl(d, (await opts.headers?.()) ?? {}, opts.timeoutMs ?? 3000);
      return { name: d.name, url: d.url, sdl };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      reason = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.message);
    }
    if (i < attempts) {
      await sleep(delay);
      delay *= 2;
    }
  }
  throw new DownstreamUnavailableError(d, reason, attempts);
}
