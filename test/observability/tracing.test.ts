import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { type OrdersService, startOrdersService } from '../gateway/support/orders-service.js';
import { MeDocument, RefreshDocument } from '../generated/graphql.js';
import { startGatehouse, type TestInstance, testTarget } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { testManifest } from '../helpers/manifest.js';
import { loginUser, registerUser, type Signed } from '../helpers/users.js';

// A real SDK in this test process, as an application embedding Gatehouse would register it.
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(provider);

const idOf = (s: ReadableSpan) => s.spanContext().spanId;
const traceOf = (s: ReadableSpan) => s.spanContext().traceId;
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const named = (name: string, spans = exporter.getFinishedSpans()) => spans.filter((s) => s.name === name);
const childrenOf = (parent: ReadableSpan) =>
  exporter.getFinishedSpans().filter((s) => parentOf(s) === idOf(parent) && traceOf(s) === traceOf(parent));

/** The spans ended so far once `done` holds (a span can end just after the response is written). */
async function spansWhen(done: (spans: ReadableSpan[]) => boolean, timeoutMs = 3000): Promise<ReadableSpan[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const spans = exporter.getFinishedSpans();
    if (done(spans) || Date.now() > until) return spans;
    await sleep(10);
  }
}

/** The graphql.request span of the operation named `op` (the last one, if several). */
async function requestSpan(op: string): Promise<ReadableSpan> {
  const hit = (spans: ReadableSpan[]) =>
    named('graphql.request', spans).filter((s) => s.attributes['graphql.operation.name'] === op);
  const found = hit(await spansWhen((spans) => hit(spans).length > 0));
  assert.ok(found.length, `a graphql.request span for ${op}`);
  return found.at(-1)!;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('OpenTelemetry tracing', {
  skip: testTarget() !== 'in-process' && 'spans are recorded in this process',
}, () => {
  let orders: OrdersService;
  let gh: TestInstance;
  const secrets: string[] = [];
  const remember = (u: Signed) => {
    secrets.push(u.password, u.accessToken, u.refreshToken);
    return u;
  };

  before(async () => {
    orders = await startOrdersService();
    gh = await startGatehouse({
      manifest: testManifest({}, { downstream: [{ name: orders.name, url: orders.url }] }),
    });
  });
  after(async () => {
    await gh?.close();
    await orders?.close();
    await provider.shutdown();
  });
  beforeEach(() => exporter.reset());

  it('register and login: a login span under graphql.request, with rate limit, argon2, session insert and issue as children', async () => {
    const u = remember(await registerUser(gh.url));
    const registered = await requestSpan('Register');
    const register = named('register').find((s) => parentOf(s) === idOf(registered));
    assert.ok(register, 'register span under its request');
    assert.deepEqual(
      childrenOf(register)
        .map((s) => s.name)
        .sort(),
      ['login.argon2', 'login.issue', 'login.rate_limit', 'login.session_insert'],
    );

    remember(await loginUser(gh.url, u.email, u.password));
    const req = await requestSpan('Login');
    assert.equal(req.kind, SpanKind.SERVER);
    assert.equal(req.attributes['graphql.operation.type'], 'mutation');
    assert.equal(req.status.code, SpanStatusCode.UNSET);
    const login = named('login').find((s) => parentOf(s) === idOf(req));
    assert.ok(login, 'login span, child of graphql.request');
    const steps = childrenOf(login);
    assert.deepEqual(
      steps.map((s) => s.name),
      ['login.rate_limit', 'login.argon2', 'login.session_insert', 'login.issue'],
      'in the order the flow runs them',
    );
    for (const s of [login, ...steps]) assert.equal(traceOf(s), traceOf(req));
  });

  it('a refused login: ERROR status carrying the error code, never the message', async () => {
    const u = remember(await registerUser(gh.url));
    const wrong = `Wrong-${hex(8)}-Password`;
    secrets.push(wrong);
    const r = await gql(gh.url, 'mutation BadLogin($i: LoginInput!) { login(input: $i) { accessToken } }', {
      i: { email: u.email, password: wrong },
    });
    assert.equal(codeOf(r), 'UNAUTHENTICATED');
    const req = await requestSpan('BadLogin');
    assert.equal(req.status.code, SpanStatusCode.ERROR);
    assert.equal(req.status.message, 'UNAUTHENTICATED');
    assert.deepEqual(req.attributes['graphql.error.codes'], ['UNAUTHENTICATED']);
    const login = named('login').find((s) => parentOf(s) === idOf(req))!;
    assert.equal(login.status.code, SpanStatusCode.ERROR);
    assert.equal(login.status.message, 'UNAUTHENTICATED');
    assert.equal(login.events.length, 0, 'no exception event (its message could quote input)');
  });

  it('an authenticated query: auth.verify, auth.revocation and auth.permission under graphql.request', async () => {
    const u = remember(await registerUser(gh.url));
    const r = await gql(gh.url, MeDocument, {}, { token: u.accessToken });
    assert.equal(r.errors, undefined);
    const req = await requestSpan('Me');
    assert.equal(req.attributes['graphql.operation.type'], 'query');
    const names = childrenOf(req).map((s) => s.name);
    for (const n of ['auth.verify', 'auth.revocation', 'auth.permission']) assert.ok(names.includes(n), n);
    const verify = childrenOf(req).find((s) => s.name === 'auth.verify')!;
    assert.equal(verify.attributes['gatehouse.token.valid'], true);
    const permission = childrenOf(req).find((s) => s.name === 'auth.permission')!;
    assert.equal(permission.attributes['gatehouse.auth.allowed'], true);
  });

  it('refresh: a refresh span under its request', async () => {
    const u = remember(await registerUser(gh.url));
    const r = await gql(gh.url, RefreshDocument, { refreshToken: u.refreshToken });
    assert.ok(r.data?.refresh?.refreshToken, JSON.stringify(r.errors));
    secrets.push(r.data.refresh.refreshToken, r.data.refresh.accessToken ?? '');
    const req = await requestSpan('Refresh');
    const spans = childrenOf(req).filter((s) => s.name === 'refresh');
    assert.equal(spans.length, 1);
    assert.equal(spans[0]!.status.code, SpanStatusCode.UNSET);
  });

  it('an incoming traceparent: the request span continues the caller’s trace', async () => {
    const traceId = hex(16);
    const callerSpan = hex(8);
    const r = await gql(
      gh.url,
      'query Traced { publicInfo }',
      {},
      {
        headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
      },
    );
    assert.equal(r.errors, undefined);
    const req = await requestSpan('Traced');
    assert.equal(traceOf(req), traceId);
    assert.equal(parentOf(req), callerSpan);
    assert.equal(req.parentSpanContext?.isRemote, true);
  });

  it('a stitched downstream call: a client span, and the service receives its traceparent', async () => {
    const u = remember(await registerUser(gh.url));
    const r = await gql(gh.url, 'query Mine { myOrders { id } }', {}, { token: u.accessToken });
    assert.equal(r.errors, undefined);
    const req = await requestSpan('Mine');
    const down = childrenOf(req).filter((s) => s.name === 'downstream');
    assert.equal(down.length, 1, 'one downstream call');
    const span = down[0]!;
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.equal(span.attributes['gatehouse.downstream'], orders.name);
    assert.equal(span.attributes['url.full'], orders.url);
    const received = orders.lastHeaders?.traceparent;
    assert.equal(typeof received, 'string', 'the service got a traceparent header');
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(received as string);
    assert.ok(m, `W3C traceparent: ${received}`);
    assert.equal(m[1], traceOf(req), 'same trace id as the request span');
    assert.equal(m[2], idOf(span), 'its parent is the downstream span');
  });

  it('no span attribute, name or status holds a password, access token or refresh token', async () => {
    // Everything the tests above recorded plus one more of each flow, all scanned.
    exporter.reset();
    const u = remember(await registerUser(gh.url));
    const l = remember(await loginUser(gh.url, u.email, u.password));
    await gql(gh.url, MeDocument, {}, { token: l.accessToken });
    await gql(gh.url, RefreshDocument, { refreshToken: l.refreshToken });
    await gql(gh.url, '{ myOrders { id } }', {}, { token: l.accessToken });
    const spans = await spansWhen((s) => named('refresh', s).length > 0 && named('downstream', s).length > 0);
    assert.ok(spans.length >= 15, `spans recorded: ${spans.length}`);
    assert.ok(secrets.length >= 6);
    for (const s of spans) {
      const text = JSON.stringify({ name: s.name, attributes: s.attributes, status: s.status, events: s.events });
      for (const secret of secrets.filter(Boolean)) {
        assert.ok(!text.includes(secret), `span ${s.name} holds a secret`);
      }
      for (const value of Object.values(s.attributes)) {
        assert.ok(!/Bearer |eyJ/.test(String(value)), `span ${s.name} holds something token-like: ${value}`);
      }
    }
  });
});
