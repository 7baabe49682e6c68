import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type DownstreamInit, downstreamClient, toResponse } from '../../src/gateway/http-fetch.js';

/** The client as executor-http sees it: answering with a Fetch Response. */
function keepAliveFetch() {
  const send = downstreamClient();
  return async (url: string, init: DownstreamInit) => toResponse(await send(url, init));
}

describe('downstream fetch over a keep-alive agent', () => {
  let server: Server;
  let url = '';
  let connections = 0;
  const bodies: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        bodies.push(body);
        if (req.url === '/redirect') {
          res.writeHead(307, { location: '/graphql' }).end();
        } else if (req.url === '/slow') {
          setTimeout(() => res.end('{}'), 500);
        } else {
          res.writeHead(200, { 'content-type': 'application/json', 'x-echo': req.headers['x-test'] ?? '' });
          res.end(JSON.stringify({ data: { echo: body } }));
        }
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reuses kept-alive connections for sequential calls and hands back status, headers and the exact body', async () => {
    const send = keepAliveFetch();
    connections = 0;
    let afterFirst = 0;
    for (let i = 0; i < 40; i++) {
      if (i === 20) afterFirst = connections;
      const body = JSON.stringify({ query: `{ n${i} }` });
      const res = await send(`${url}/graphql`, { method: 'POST', headers: { 'x-test': `t${i}` }, body });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-echo'), `t${i}`);
      assert.deepEqual(await res.json(), { data: { echo: body } });
    }
    // undici may open a second socket while the first one finishes its response; after that, none.
    assert.ok(afterFirst >= 1 && afterFirst <= 2, `20 calls over ${afterFirst} sockets`);
    assert.equal(connections, afterFirst, 'the next 20 calls open no new socket');
  });

  it('does not follow redirects (the signed identity and token go only to the configured URL)', async () => {
    const send = keepAliveFetch();
    const before = bodies.length;
    const res = await send(`${url}/redirect`, { method: 'POST', headers: {}, body: '{}' });
    assert.equal(res.status, 307);
    assert.equal(bodies.length, before + 1, 'no second request');
  });

  it('fails as fetch does: the signal reason on abort, TypeError "fetch failed" when unreachable', async () => {
    const send = keepAliveFetch();
    const timeout = AbortSignal.timeout(50);
    await assert.rejects(send(`${url}/slow`, { method: 'POST', headers: {}, body: '{}', signal: timeout }), (err) => {
      assert.equal((err as Error).name, 'TimeoutError');
      return true;
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(send(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: {}, body: '{}' }), {
      name: 'TypeError',
      message: 'fetch failed',
    });
  });
});
