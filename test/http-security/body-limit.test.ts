import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSchema, createYoga } from 'graphql-yoga';
import { useCloseAfterTooLarge, useRequestBodyLimit } from '../../src/http/security/index.js';

const LIMIT = 4096;
const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { echo(s: String): Int }',
    resolvers: { Query: { echo: (_, a) => a.s?.length ?? 0 } },
  }),
  logging: false,
  maxRequestBodySize: false,
  plugins: [useCloseAfterTooLarge(), useRequestBodyLimit(LIMIT)],
});
const body = (pad: number) =>
  JSON.stringify({ query: 'query($s: String) { echo(s: $s) }', variables: { s: 'é'.repeat(pad) } });

/** Raw HTTP/1.1 over node:http, so the test chooses the framing (Content-Length or chunked). */
function send(port: number, payload: string, chunked: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (!chunked) headers['content-length'] = Buffer.byteLength(payload);
    const req = request({ port, host: '127.0.0.1', path: '/graphql', method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (chunked) {
      for (let i = 0; i < payload.length; i += 1000) req.write(payload.slice(i, i + 1000));
      req.end();
    } else req.end(payload);
  });
}

describe('request-body limit (useRequestBodyLimit)', () => {
  const server = createServer(yoga);
  let port = 0;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('over HTTP: within the limit answers, beyond it 413, by Content-Length and chunked alike', async () => {
    const small = body(100); // é is two UTF-8 bytes: ~250 bytes
    const big = body(3000); // ~6 KB
    for (const chunked of [false, true]) {
      const ok = await send(port, small, chunked);
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(JSON.parse(ok.text).data, { echo: 100 });
      const refused = await send(port, big, chunked);
      assert.equal(refused.status, 413, `chunked=${chunked}: ${refused.text}`);
      assert.match(refused.text, /too large/i);
    }
  });

  it('in-process: string bodies by their UTF-8 size, streamed bodies as they stream', async () => {
    const ask = (b: BodyInit) =>
      yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: b,
        duplex: 'half',
      } as RequestInit);
    assert.equal((await ask(body(100))).status, 200);
    // 2,100 é are ~2,150 characters but ~4,250 UTF-8 bytes: over the limit only when bytes are counted
    assert.equal((await ask(body(2100))).status, 413, 'counted in UTF-8 bytes, not characters');
    assert.equal((await ask(new TextEncoder().encode(body(3000)))).status, 413);
    const bytes = new TextEncoder().encode(body(3000));
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 512) c.enqueue(bytes.subarray(i, i + 512));
        c.close();
      },
    });
    assert.equal((await ask(stream)).status, 413);
    const res = await ask(body(1000)); // ~2,050 bytes: fits
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual((await res.json()).data, { echo: 1000 });
  });
});
