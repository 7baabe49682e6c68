import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createSchema, createYoga } from 'graphql-yoga';
import {
  captureLogs,
  createMetrics,
  type Metrics,
  useMetrics,
  useMetricsRoute,
  useRequestLog,
} from '../../src/observability/index.js';

const typeDefs = /* GraphQL */ `
  type Query {
    hello: String!
    boom: String
  }
  type Mutation {
    login(email: String!, password: String!): String!
  }
`;

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('observability plugins on a real Yoga server', () => {
  const logs = captureLogs('trace');
  let metrics: Metrics;
  let server: Server;
  let origin: string;

  before(async () => {
    metrics = createMetrics({ collectDefault: false });
    const yoga = createYoga({
      schema: createSchema({
        typeDefs,
        resolvers: {
          Query: {
            hello: () => 'world',
            boom: () => {
              throw new Error('kaboom');
            },
          },
          Mutation: { login: () => 'ok' },
        },
      }),
      // what Gatehouse's context factory provides
      context: () => ({ clientIp: '203.0.113.9' }),
      batching: { limit: 5 },
      logging: false,
      plugins: [useRequestLog(logs.logger), useMetricsRoute(metrics), useMetrics(metrics)],
    });
    server = createServer(yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => logs.clear());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const requestLines = () => logs.lines().filter((l) => l.msg === 'request');

  it('counts operations by name and outcome, observes latency, and serves /metrics', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await post({ query: 'query Hello { hello }' })).status, 200);
    await post({ query: '{ hello }' });
    await post({ query: 'query Boom { boom }' });
    await post({ query: 'query Bad { nope }' }); // fails validation, never executes
    await post({ query: 'query Two { hello } query Picked { hello }', operationName: 'Picked' });
    await post([{ query: 'query A { hello }' }, { query: 'query B { boom }' }]);

    const res = await fetch(`${origin}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), metrics.registry.contentType);
    const text = await res.text();
    const count = (op: string, outcome: string) =>
      sample(text, `gatehouse_graphql_requests_total{operation="${op}",outcome="${outcome}"}`);
    assert.equal(count('Hello', 'ok'), 2);
    assert.equal(count('anonymous', 'ok'), 1);
    assert.equal(count('Boom', 'error'), 1);
    assert.equal(count('Bad', 'error'), 1);
    assert.equal(count('Picked', 'ok'), 1);
    assert.equal(count('Two', 'ok'), undefined, 'the operation that ran is the one named');
    assert.equal(count('A', 'ok'), 1, 'each operation of a batch counts');
    assert.equal(count('B', 'error'), 1);
    assert.equal(sample(text, 'gatehouse_graphql_request_duration_seconds_count{operation="Hello"}'), 2);
    const sum = sample(text, 'gatehouse_graphql_request_duration_seconds_sum{operation="Hello"}')!;
    assert.ok(sum > 0 && sum < 5, `latency sum ${sum}`);
  });

  it('writes one line per request with a request id, echoed in x-request-id', async () => {
    const generated = await post({ query: 'query Hello { hello }' }, { 'x-gatehouse-app': 'shop' });
    const honoured = await post({ query: '{ hello }' }, { 'x-request-id': 'trace-42.a:b' });
    const replaced = await post({ query: '{ hello }' }, { 'x-request-id': 'has spaces and <html>' });
    const tooLong = await post({ query: '{ hello }' }, { 'x-request-id': 'a'.repeat(65) });
    const batch = await post([{ query: 'query A { hello }' }, { query: 'query B { boom }' }]);
    const scrape = await fetch(`${origin}/metrics`);
    const responses = [generated, honoured, replaced, tooLong, batch, scrape];
    await Promise.all(responses.map((r) => r.arrayBuffer()));

    const lines = requestLines();
    assert.equal(lines.length, responses.length, 'exactly one line per request');
    lines.forEach((line, i) => {
      assert.equal(line.reqId, responses[i]!.headers.get('x-request-id'));
    });
    assert.match(String(lines[0]!.reqId), UUID);
    assert.equal(lines[1]!.reqId, 'trace-42.a:b');
    assert.match(String(lines[2]!.reqId), UUID);
    assert.match(String(lines[3]!.reqId), UUID);

    const first = lines[0]!;
    assert.equal(first.method, 'POST');
    assert.equal(first.path, '/graphql');
    assert.equal(first.operation, 'Hello');
    assert.equal(first.status, 200);
    assert.equal(first.app, 'shop');
    assert.equal(first.ip, '203.0.113.9');
    assert.equal(first.level, 30);
    assert.equal(typeof first.ms, 'number');
    assert.ok((first.ms as number) >= 0);
    assert.equal(first.errors, undefined);
    assert.equal(lines[1]!.operation, 'anonymous');
    assert.equal(lines[4]!.operation, 'A,B');
    assert.equal(lines[4]!.errors, 1);
    assert.equal(lines[5]!.path, '/metrics');
    assert.equal(lines[5]!.level, 20, 'scrapes and probes are logged at debug');
    assert.equal(lines[5]!.ip, '127.0.0.1', 'without a GraphQL context, the socket peer');
  });

  it('never logs variables, Authorization, cookies, tokens or passwords', async () => {
    const token = randomBytes(24).toString('base64url');
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const inlined = `inline-${randomBytes(12).toString('hex')}`;
    const cookie = randomBytes(16).toString('hex');
    const csrf = randomBytes(16).toString('hex');
    const headers = {
      authorization: `Bearer ${token}`,
      cookie: `gh_refresh=${cookie}; gh_csrf=${csrf}`,
      'x-csrf-token': csrf,
    };
    const withVariables = await post(
      {
        query: 'mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) }',
        variables: { email: 'a@example.com', password },
      },
      headers,
    );
    assert.equal(withVariables.status, 200);
    const inline = await post({ query: `mutation Inline { login(email: "a@example.com", password: "${inlined}") }` });
    assert.equal(inline.status, 200);

    // and the logger's redaction, for code that logs such objects by mistake
    logs.logger.info(
      { variables: { password }, headers, req: { headers }, query: inlined, nested: { token, refreshToken: token } },
      'careless',
    );

    const lines = requestLines();
    assert.deepEqual(
      lines.map((l) => l.operation),
      ['Login', 'Inline'],
      'the requests were logged',
    );
    const text = logs.text();
    for (const secret of [token, password, inlined, cookie, csrf, 'a@example.com']) {
      assert.ok(!text.includes(secret), `log output contains ${secret}`);
    }
    assert.match(text, /"careless"/);
  });
});
