// Only the stitched schema's module (loaded with downstream services alone) imports this one: it brings undici.
import { context, propagation } from '@opentelemetry/api';
import type { GatehouseContext } from '../graphql/index.js';
import type { HeadersFor } from './forward.js';
import { type DownstreamAnswer, type DownstreamInit, downstreamClient, toResponse } from './http-fetch.js';

/** Sends one signed call to a downstream service: `(url, init, ctx)`, `ctx` the request being served. */
export type SignedPost = (
  url: string,
  init: DownstreamInit,
  ctx: GatehouseContext | undefined,
) => Promise<DownstreamAnswer>;

/**
 * Signs the body string it is handed and sends that same string, so the hash covers the exact
 * bytes on the wire (no re-serialisation between signing and sending), with the caller's identity
 * headers, the current span's traceparent and a timeout. One keep-alive pool per downstream service.
 */
export function signedPost(headersFor: HeadersFor, service: string, timeoutMs: number): SignedPost {
  const send = downstreamClient();
  return async (url, init, ctx) => {
    const method = init.method.toUpperCase();
    const signed = await headersFor(service, ctx, { method, body: init.body });
    propagation.inject(context.active(), signed); // W3C traceparent of the current (downstream) span, when tracing
    // The timeout is applied here rather than with the executor's `timeout` option: that one is merged
    // with its long-lived dispose signal by adding a listener to it per call, which piles up
    // (MaxListenersExceededWarning) under concurrency. AbortSignal.any adds none.
    const timeout = AbortSignal.timeout(timeoutMs);
    return send(url, {
      method,
      body: init.body,
      headers: { ...init.headers, ...signed },
      signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
    });
  };
}

/**
 * The fetch a downstream executor (@graphql-tools/executor-http) sends with, over `post`.
 * Anything but a string body (multipart uploads) is refused: it could not be hashed as sent.
 */
export function signingFetch(post: SignedPost, service: string) {
  return async (url: string, init: RequestInit = {}, ctx?: unknown): Promise<Response> => {
    const { body } = init;
    if (typeof body !== 'string') throw new Error(`downstream "${service}": only JSON bodies are forwarded`);
    const headers = (init.headers as Record<string, string> | undefined) ?? {};
    const signal = init.signal ?? undefined;
    const answer = await post(
      url,
      { method: init.method ?? 'POST', body, headers, ...(signal ? { signal } : {}) },
      ctx as GatehouseContext | undefined,
    );
    return toResponse(answer);
  };
}
