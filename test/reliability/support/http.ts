import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { GqlError } from '../../helpers/graphql.js';

/** One answered (or unanswered) request, with everything the reliability checks look at. */
export interface Outcome<R> {
  /** HTTP status; 0 when no answer came (connection refused or reset, client timeout). */
  status: number;
  /** Wall time of the request, in ms. */
  ms: number;
  /** performance.now() when the request was sent. */
  sentAt: number;
  data: R | null;
  errors: GqlError[];
  code: string | undefined;
  /** The raw body, for the no-stack-trace and no-leak checks. */
  text: string;
  /** Why no answer came. */
  failure?: string;
}

export interface CallOptions {
  token?: string;
  /** The raw Authorization header value (fuzzing sends malformed ones). */
  authorization?: string;
  headers?: Record<string, string>;
  /** The client gives up after this; every request of the suite is bounded. Default 30 s. */
  timeoutMs?: number;
}

/** POSTs an operation and never throws: a missing answer is an outcome too (status 0). */
export async function call<R, V>(
  url: string,
  doc: TypedDocumentNode<R, V> | string,
  variables?: V | Record<string, unknown>,
  opts: CallOptions = {},
): Promise<Outcome<R>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.authorization !== undefined) headers.authorization = opts.authorization;
  const body = JSON.stringify({ query: typeof doc === 'string' ? doc : print(doc), variables });
  return send<R>(url, { method: 'POST', headers, body }, opts.timeoutMs);
}

/** Sends a prepared request (raw-body fuzzing uses it directly). */
export async function send<R>(url: string, init: RequestInit, timeoutMs = 30_000): Promise<Outcome<R>> {
  const sentAt = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    const ms = performance.now() - sentAt;
    let parsed: { data?: R | null; errors?: GqlError[] } = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: left for the caller's checks (text is kept)
    }
    const errors = Array.isArray(parsed.errors) ? parsed.errors : [];
    return {
      status: res.status,
      ms,
      sentAt,
      data: parsed.data ?? null,
      errors,
      code: errors[0]?.extensions?.code,
      text,
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const failure = e.name === 'TimeoutError' ? 'client timeout' : (e.cause?.code ?? e.message);
    return {
      status: 0,
      ms: performance.now() - sentAt,
      sentAt,
      data: null,
      errors: [],
      code: undefined,
      text: '',
      failure,
    };
  }
}

/** A GET of a plain route (/healthz, /readyz), timed. */
export async function probe(url: string, timeoutMs = 10_000): Promise<{ status: number; ms: number }> {
  const o = await send(url, { method: 'GET' }, timeoutMs);
  return { status: o.status, ms: o.ms };
}

/** A stack frame (`at fn (file.js:12:3)`), Node internals, driver error names, hashes: none may reach a client. */
const STACK = /\bat\s[^"\n]*?\.[cm]?[jt]s:\d+|node:internal|\bat async\b/;
// Case-sensitive and specific: GraphQL's own input errors echo the client's (random) variables.
const LEAKS =
  /Mongo[A-Z][A-Za-z]*Error|E11000 duplicate key|\$argon2id\$v=|ECONNREFUSED|ECONNRESET|Server selection timed out|topology was destroyed/;

/** What a body must never contain; returns the offending match or undefined. */
export function leakIn(text: string): string | undefined {
  return (STACK.exec(text) ?? LEAKS.exec(text))?.[0];
}

export interface CleanRules {
  /** 503 with SERVICE_UNAVAILABLE is a correct answer while the database is away. */
  allowUnavailable?: boolean;
}

/** A problem with this answer as a transport-level matter (5xx, no answer, not JSON, a leak), or undefined. */
export function transportProblem(o: Outcome<unknown>, rules: CleanRules = {}): string | undefined {
  if (o.status === 0) return `no answer after ${Math.round(o.ms)} ms (${o.failure})`;
  const leak = leakIn(o.text);
  if (leak) return `body leaks "${leak}": ${o.text.slice(0, 300)}`;
  if (o.status >= 500) {
    if (!(rules.allowUnavailable && o.status === 503 && o.code === 'SERVICE_UNAVAILABLE')) {
      return `HTTP ${o.status} ${o.code ?? ''}: ${o.text.slice(0, 300)}`;
    }
  }
  if (o.data === null && o.errors.length === 0)
    return `HTTP ${o.status} without data or errors: ${o.text.slice(0, 300)}`;
  if (o.errors.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR'))
    return `INTERNAL_SERVER_ERROR: ${o.text.slice(0, 300)}`;
  return undefined;
}

export function assertClean(o: Outcome<unknown>, what: string, rules: CleanRules = {}): void {
  const problem = transportProblem(o, rules);
  assert.equal(problem, undefined, `${what}: ${problem}`);
}
