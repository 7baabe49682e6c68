import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatehouseYoga } from './yoga.js';

export interface Listening {
  server: Server;
  url: string;
  port: number;
  /** Drains (1 s of answering with Connection: close, /readyz 503), stops accepting, waits for in-flight requests. */
  close(): Promise<void>;
}

/**
 * `drainMs`: how long a stopping server still answers requests already on their way, instead of
 * resetting them (load balancers see /readyz 503 and Connection: close meanwhile).
 */
export async function listenHttp(yoga: GatehouseYoga, port: number, host: string, drainMs = 1000): Promise<Listening> {
  let draining = false;
  const server = createServer((req, res) => {
    if (draining) {
      // Tell clients and load balancers to go elsewhere, but still answer this request.
      res.setHeader('connection', 'close');
      if (req.url === '/readyz') {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"shutting down"}');
        return;
      }
    }
    yoga(req, res);
  });
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    port: actual,
    url: `http://${shownHost}:${actual}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        draining = true;
        // Keep answering for a moment, then stop accepting and wait for what is in flight;
        // requests still running 10 s later are cut, so shutdown always ends.
        setTimeout(() => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 10_000).unref();
        }, drainMs);
      }),
  };
}
