import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import { API_CSP, GRAPHIQL_CSP } from '../../src/http/security/index.js';
import { CORS_ORIGIN, type SecurityApp, startSecurityApp } from './app.js';

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
  ms: number;
}

/** POSTs as a GraphQL-over-HTTP client (whose errors come with 4xx statuses, not the legacy 200). */
async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? JSON.parse(text) : {},
    ms: performance.now() - started,
  };
}

const LOGIN = 'login(email: "a@example.com", password: "pw")';

function assertHardenedHeaders(headers: Headers, where: string) {
  assert.equal(headers.get('x-content-type-options'), 'nosniff', where);
  assert.equal(headers.get('referrer-policy'), 'no-referrer', where);
  assert.equal(headers.get('x-frame-options'), 'DENY', where);
  assert.equal(
    headers.get('content-security-policy'),
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    where,
  );
  assert.equal(headers.get('x-powered-by'), null, where);
  assert.match(headers.get('vary') ?? '', /\bOrigin\b/, where);
}

describe('security plugins on a real Yoga server', () => {
  let dev: SecurityApp;
  let prod: SecurityApp;
  let proxied: SecurityApp;
  before(async () => {
    [dev, prod, proxied] = await Promise.all([
      startSecurityApp({ graphiql: true }),
      startSecurityApp({ production: true }),
      startSecurityApp({ trustedProxies: ['127.0.0.1'] }),
    ]);
  });
  after(() => Promise.all([dev.close(), prod.close(), proxied.close()]));

  describe('headers', () => {
    it('hardens success, error, unknown-route and refused responses alike', async () => {
      const ok = await post(dev.url, { query: '{ hello }' });
      assert.equal(ok.status, 200);
      assertHardenedHeaders(ok.headers, 'success');
      assert.equal(ok.headers.get('cache-control'), 'no-store');

      const syntax = await post(dev.url, { query: '{ hello(' });
      assert.equal(syntax.status, 400);
      assertHardenedHeaders(syntax.headers, 'syntax error');
      assert.equal(syntax.headers.get('cache-control'), 'no-store');

      const missing = await fetch(`${dev.origin}/nowhere`);
      assert.equal(missing.status, 404);
      assertHardenedHeaders(missing.headers, '404');

      const get = await fetch(`${dev.url}?query=${encodeURIComponent('mutation { logout }')}`);
      assertHardenedHeaders(get.headers, '405');
    });

    it('relaxes the CSP for the GraphiQL page only, and only where GraphiQL is served', async () => {
      const page = await fetch(dev.url, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(page.headers.get('content-security-policy'), GRAPHIQL_CSP);
      assert.match(GRAPHIQL_CSP, /frame-ancestors 'none'/);
      assert.equal(page.headers.get('x-frame-options'), 'DENY');
      const api = await fetch(`${dev.url}?query=${encodeURIComponent('{ hello }')}`);
      assert.equal(api.headers.get('content-security-policy'), API_CSP);
      const prodPage = await fetch(prod.url, { headers: { accept: 'text/html' } });
      assert.notEqual(prodPage.headers.get('content-security-policy'), GRAPHIQL_CSP);
    });

    it('sends HSTS only over https: a trusted proxy says so, a client cannot', async () => {
      const plain = await post(dev.url, { query: '{ hello }' });
      assert.equal(plain.headers.get('strict-transport-security'), null);
      const spoofed = await post(dev.url, { query: '{ hello }' }, { 'x-forwarded-proto': 'https' });
      assert.equal(spoofed.headers.get('strict-transport-security'), null, 'untrusted peer');
      const viaProxy = await post(proxied.url, { query: '{ hello }' }, { 'x-forwarded-proto': 'https' });
      assert.equal(viaProxy.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
      const httpProxy = await post(proxied.url, { query: '{ hello }' }, { 'x-forwarded-proto': 'http' });
      assert.equal(httpProxy.headers.get('strict-transport-security'), null);
    });
  });

  describe('CORS', () => {
    const preflight = (url: string, origin: string) =>
      fetch(url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-csrf-token',
        },
      });

    it('echoes an allow-listed origin with credentials, never *', async () => {
      const res = await preflight(dev.url, CORS_ORIGIN);
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('access-control-allow-origin'), CORS_ORIGIN);
      assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
      assert.match(res.headers.get('access-control-allow-headers') ?? '', /x-csrf-token/);
      assert.match(res.headers.get('vary') ?? '', /\bOrigin\b/);
      const actual = await post(dev.url, { query: '{ hello }' }, { origin: CORS_ORIGIN });
      assert.equal(actual.headers.get('access-control-allow-origin'), CORS_ORIGIN);
    });

    it('gives an unknown origin no CORS headers at all', async () => {
      for (const origin of ['https://evil.test', 'null', `${CORS_ORIGIN}.evil.test`]) {
        const res = await preflight(dev.url, origin);
        assert.equal(res.headers.get('access-control-allow-origin'), null, origin);
        assert.equal(res.headers.get('access-control-allow-credentials'), null, origin);
        const actual = await post(dev.url, { query: '{ hello }' }, { origin });
        assert.equal(actual.headers.get('access-control-allow-origin'), null, origin);
        assert.match(actual.headers.get('vary') ?? '', /\bOrigin\b/);
      }
    });
  });

  describe('bounds', () => {
    const deep = (n: number) => `{ node { ${'child { '.repeat(n - 1)}name${' }'.repeat(n - 1)} } }`;
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: hello`).join(' ')} }`;

    it('accepts documents within the limits', async () => {
      assert.equal((await post(dev.url, { query: deep(9) })).status, 200);
      assert.equal((await post(dev.url, { query: aliases(15) })).status, 200);
      const batch = await post(
        dev.url,
        Array.from({ length: 10 }, () => ({ query: '{ hello }' })),
      );
      assert.equal(batch.status, 200);
    });

    it('refuses hostile requests fast while a normal request still succeeds', async () => {
      const bigBody = JSON.stringify({ query: '{ hello }', variables: { pad: 'x'.repeat(5 * 1024 * 1024) } });
      const [depth, manyAliases, sixteen, body, batch, normal] = await Promise.all([
        post(dev.url, { query: deep(50) }),
        post(dev.url, { query: aliases(1000) }),
        post(dev.url, { query: aliases(16) }),
        post(dev.url, bigBody),
        post(
          dev.url,
          Array.from({ length: 100 }, () => ({ query: '{ hello }' })),
        ),
        post(dev.url, { query: '{ hello }' }),
      ]);
      assert.equal(normal.status, 200);
      assert.deepEqual(normal.body.data, { hello: 'world' });
      const expect = { depth, manyAliases, sixteen, body, batch };
      // 1 s on an idle machine; on a loaded one (client and server share this process) a refusal
      // may take at most twice as long as the normal request that ran beside it.
      const budget = Math.max(1000, 2 * normal.ms);
      const patterns = {
        depth: /depth limit of 10/i,
        manyAliases: /token limit|aliases limit/i,
        sixteen: /aliases limit of 15/i,
        body: /too large/i,
        batch: /limited to 10 operations/i,
      };
      for (const [name, r] of Object.entries(expect)) {
        assert.ok(r.status === 400 || r.status === 413, `${name}: HTTP ${r.status}`);
        const messages = (r.body.errors ?? []).map((e) => e.message).join(' | ');
        assert.match(messages, patterns[name as keyof typeof patterns], name);
        assert.ok(r.ms < budget, `${name} took ${r.ms.toFixed(0)} ms (budget ${budget.toFixed(0)} ms)`);
        assertHardenedHeaders(r.headers, name);
      }
      assert.equal(body.status, 413);
      assert.equal(batch.status, 413);
      process.stderr.write(
        `  [measured] refusals (ms): ${Object.entries(expect)
          .map(([k, r]) => `${k} ${r.ms.toFixed(0)}`)
          .join(', ')}; normal ${normal.ms.toFixed(0)}\n`,
      );
    });

    it('caps a streamed body without Content-Length', async () => {
      const chunk = new TextEncoder().encode(`{"query":"{ hello }","variables":{"pad":"${'y'.repeat(64 * 1024)}`);
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 40) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const res = await fetch(dev.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      assert.equal(res.status, 413);
      assert.equal(res.headers.get('connection'), 'close', 'the unread rest must not poison a kept-alive connection');
      for (let i = 0; i < 3; i++) {
        const next = await post(dev.url, { query: '{ hello }' });
        assert.equal(next.status, 200);
        assert.ok(next.ms < 1000, `follow-up took ${next.ms} ms`);
      }
    });

    it('refuses a mutation over GET with 405', async () => {
      const res = await fetch(`${dev.url}?query=${encodeURIComponent(`mutation { ${LOGIN} }`)}`);
      assert.equal(res.status, 405);
      assert.equal(dev.calls.login, 0);
    });
  });

  describe('one credential field per operation', () => {
    it('refuses two login fields by alias or fragment before any resolver runs', async () => {
      const before = dev.calls.login;
      const docs = [
        `mutation { a: ${LOGIN} b: ${LOGIN} }`,
        `mutation { ${LOGIN} ...F } fragment F on Mutation { again: ${LOGIN} }`,
        `mutation { ... on Mutation { ${LOGIN} } ...F } fragment F on Mutation { ...G } fragment G on Mutation { x: ${LOGIN} }`,
        `mutation { ${LOGIN} refresh(refreshToken: "t") }`,
        `mutation { register(email: "x") changePassword(newPassword: "p") }`,
        `mutation { ${Array.from({ length: 10 }, (_, i) => `a${i}: ${LOGIN}`).join(' ')} }`,
      ];
      for (const query of docs) {
        const r = await post(dev.url, { query });
        assert.equal(r.status, 400, query);
        const codes = (r.body.errors ?? []).map((e) => e.extensions?.code);
        assert.ok(codes.includes('GRAPHQL_VALIDATION_FAILED'), `${query}: ${JSON.stringify(r.body.errors)}`);
        assert.match(
          JSON.stringify(r.body.errors),
          /only one of: login, register, loginAnonymous, refresh, changePassword/,
        );
        assert.equal(r.body.data, undefined);
      }
      assert.equal(dev.calls.login, before, 'no login resolver ran');
    });

    it('lets one credential field through, with other fields beside it', async () => {
      const before = dev.calls.login;
      const r = await post(dev.url, { query: `mutation { ${LOGIN} logout }` });
      assert.equal(r.status, 200);
      assert.equal(dev.calls.login, before + 1);
    });
  });

  describe('schema discovery', () => {
    const introspection = '{ __schema { types { name } } }';

    it('turns introspection off in production and leaves it on in development', async () => {
      const off = await post(prod.url, { query: introspection });
      assert.equal(off.status, 400);
      assert.equal(off.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      assert.match(off.body.errors?.[0]?.message ?? '', /introspection/i);
      const typeQuery = await post(prod.url, { query: '{ __type(name: "Query") { name } }' });
      assert.equal(typeQuery.status, 400);
      const on = await post(dev.url, { query: introspection });
      assert.equal(on.status, 200);
      // the full query GraphiQL and codegen send fits the depth, cost and token limits
      const full = await post(dev.url, { query: getIntrospectionQuery({ descriptions: true }) });
      assert.equal(full.status, 200, JSON.stringify(full.body.errors));
    });

    it('hides field suggestions', async () => {
      const r = await post(prod.url, { query: '{ helo }' });
      assert.equal(r.status, 400);
      assert.doesNotMatch(JSON.stringify(r.body.errors), /Did you mean|hello/);
    });
  });
});
