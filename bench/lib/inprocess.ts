import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/**
 * The in-process harness: requests go through a Yoga instance's `fetch` (no sockets, no HTTP
 * parsing), many in flight, so the numbers are the GraphQL server's own work. Every response is
 * checked: a benchmark that counts refusals as answers measures nothing.
 */
export interface FetchTarget {
  fetch(url: string, init: RequestInit): Promise<Response> | Response;
}

/** The request to send as the i-th of a run (lets a run cycle through tokens). */
export type InitFor = (i: number) => RequestInit;

export const GRAPHQL_URL = 'http://127.0.0.1/graphql';

export class BadResponseError extends Error {
  override name = 'BadResponseError';
}

/** One request; throws unless it is a 200 without GraphQL errors. */
export async function send(target: FetchTarget, init: RequestInit): Promise<string> {
  const res = await target.fetch(GRAPHQL_URL, init);
  const text = await res.text();
  if (res.status !== 200 || text.includes('"errors"')) {
    throw new BadResponseError(`HTTP ${res.status}: ${text.slice(0, 300)}`);
  }
  return text;
}

export interface LoadOptions {
  /** Requests in flight. */
  concurrency: number;
  /** Stop starting requests after this long… */
  durationMs?: number;
  /** …or after this many. */
  count?: number;
  /** Keep each request's latency (ms). */
  latencies?: boolean;
}

export interface LoadResult {
  requests: number;
  ms: number;
  rps: number;
  latencies: Float64Array;
}

/** Runs `concurrency` request loops until the duration or count is reached. */
export async function load(target: FetchTarget, initFor: InitFor, opts: LoadOptions): Promise<LoadResult> {
  if (opts.durationMs === undefined && opts.count === undefined) throw new Error('load needs a duration or a count');
  const limit = opts.count ?? Number.POSITIVE_INFINITY;
  const lat: number[] = [];
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const deadline = opts.durationMs === undefined ? Number.POSITIVE_INFINITY : t0 + opts.durationMs;
  const loop = async () => {
    for (;;) {
      const i = next++;
      if (i >= limit) return;
      const s = performance.now();
      if (s >= deadline) return;
      await send(target, initFor(i));
      if (opts.latencies) lat.push(performance.now() - s);
      done++;
      // An in-process request resolves through microtasks alone: without this, timers and I/O
      // (the revocation feed's polls, among others) would never run while a load lasts.
      await yieldToEventLoop();
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, loop));
  const ms = performance.now() - t0;
  return { requests: done, ms, rps: (done * 1000) / ms, latencies: Float64Array.from(lat) };
}

/** One request at a time, alternating between targets request by request; latencies (ms) per target. */
export async function alternating(
  targets: readonly { name: string; target: FetchTarget; initFor: InitFor }[],
  perTarget: number,
): Promise<Record<string, Float64Array>> {
  const out = Object.fromEntries(targets.map((t) => [t.name, new Float64Array(perTarget)]));
  for (let i = 0; i < perTarget; i++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(k + i) % targets.length]!;
      const s = performance.now();
      await send(t.target, t.initFor(i));
      out[t.name]![i] = performance.now() - s;
      await yieldToEventLoop();
    }
  }
  return out;
}

/** A GraphQL POST. */
export function graphqlInit(
  query: string,
  headers: Record<string, string> = {},
  variables?: Record<string, unknown>,
): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(variables ? { query, variables } : { query }),
  };
}

export interface GraphQLAnswer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A GraphQL call whose answer is inspected rather than required to succeed. */
export async function ask(
  target: FetchTarget,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLAnswer> {
  const res = await target.fetch(GRAPHQL_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as Omit<GraphQLAnswer, 'status'>) };
}

/** Several runs of one variant as one: requests and time add up, latencies concatenate. */
export function mergeLoads(parts: readonly LoadResult[]): LoadResult {
  const requests = parts.reduce((n, p) => n + p.requests, 0);
  const ms = parts.reduce((n, p) => n + p.ms, 0);
  const latencies = new Float64Array(parts.reduce((n, p) => n + p.latencies.length, 0));
  let at = 0;
  for (const p of parts) {
    latencies.set(p.latencies, at);
    at += p.latencies.length;
  }
  return { requests, ms, rps: (requests * 1000) / ms, latencies };
}
