import type { KeyObject } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';
import type { Clock } from '../clock.js';
import { type GatehouseContext, presentedToken } from '../graphql/index.js';
import { gatewayHeaders, gatewayKeyObject, type SignedCall } from '../vocabulary/index.js';
import { type DownstreamAnswer, type DownstreamInit, downstreamClient, toResponse } from './http-fetch.js';

/** Builds the headers of one downstream call from the request being served (or none: the gateway's own call). */
export type HeadersFor = (
  service: string,
  ctx: GatehouseContext | undefined,
  call: SignedCall,
) => Promise<Record<string, string>>;

/**
 * What goes downstream: `X-Gatehouse-App`, and for a caller whose token the auth plugin verified,
 * `Authorization: Bearer <that token>` (a cookie caller's token too), `X-Gatehouse-User-Id` and
 * `X-Gatehouse-Session-Id`; always a fresh timestamp, nonce and `X-Gatehouse-Signature` over them
 * and over this call's method and body. A token that did not verify is not forwarded: a service
 * behind the gateway only ever sees identities the gateway vouches for.
 */
export function createHeadersFor(secret: string, clock: Clock): HeadersFor {
  const keys = new Map<string, KeyObject>();
  const keyOf = (service: string) => {
    let key = keys.get(service);
    if (!key) {
      key = gatewayKeyObject(secret, service);
      keys.set(service, key);
    }
    return key;
  };
  return async (service, ctx, call) => {
    const user = ctx?.currentUser ?? null;
    const token = user && ctx ? await presentedToken(ctx) : undefined;
    const who = {
      app: ctx?.app.slug ?? null,
      userId: token ? user!.userId : null,
      sessionId: token ? user!.sessionId : null,
    };
    const headers = gatewayHeaders(keyOf(service), who, call, clock.ms());
    if (token) headers.authorization = `Bearer ${token}`;
    return headers;
  };
}

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
