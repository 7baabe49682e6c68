import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - t0, headers: res.headers };
}

describe('GraphQL hardening on the real gateway', () => {
  let gh: TestInstance;
  before(async () => {
    gh = await startGatehouse();
  });
  after(() => gh.close());

  it('refuses depth 50, 1,000 aliases, a 5 MB body and a 100-operation batch quickly, while serving others', async () => {
    const deep = `{ ${'me { '.repeat(50)}id${' }'.repeat(50)} }`;
    const aliases = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: serverTime`).join(' ')} }`;
    const huge = JSON.stringify({ query: `{ serverTime }`, variables: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    const batch = JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ serverTime }' })));
    const [d, a, h, b, normal] = await Promise.all([
      post(gh.url, JSON.stringify({ query: deep })),
      post(gh.url, JSON.stringify({ query: aliases })),
      post(gh.url, huge),
      post(gh.url, batch),
      post(gh.url, JSON.stringify({ query: '{ serverTime }' })),
    ]);
    assert.equal(normal.status, 200);
    assert.match(normal.text, /serverTime/);
    for (const [name, r] of Object.entries({ depth: d, aliases: a, body: h, batch: b })) {
      // refused: an HTTP error, or a GraphQL validation error with no data at all
      const body = (() => {
        try {
          return JSON.parse(r.text) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
        } catch {
          return {};
        }
      })();
      assert.ok(
        r.status >= 400 || (body.errors?.length && body.data === undefined),
        `${name}: ${r.status} ${r.text.slice(0, 200)}`,
      );
      assert.ok(r.ms < 2000, `${name}: ${r.ms} ms`);
      assert.doesNotMatch(r.text, /at .*\.js:\d+/, `${name}: no stack trace`);
    }
    assert.equal(h.status, 413);
    assert.match(d.text, /depth/i);
    assert.match(a.text, /alias|token limit/i); // the token limit may trip first
  });

  it('sends security headers and refuses mutations over GET', async () => {
    const r = await post(gh.url, JSON.stringify({ query: '{ serverTime }' }));
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(r.headers.get('referrer-policy'));
    assert.match(r.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal(r.headers.get('strict-transport-security'), null, 'no HSTS over plain http');
    const get = await fetch(`${gh.url}?query=${encodeURIComponent('mutation { logout }')}`);
    assert.equal(get.status, 405);
    const health = await fetch(`${gh.origin}/healthz`);
    assert.equal(health.headers.get('x-content-type-options'), 'nosniff');
  });
});
