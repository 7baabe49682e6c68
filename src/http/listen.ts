import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatehouseYoga } from './yoga.js';

export interface Listening {
  server: Server;
  url: string;
  port: number;
  /** Stops accepting connections and waits for in-flight requests (idle keep-alives are closed). */
  close(): Promise<void>;
}

export async function listenHttp(yoga: GatehouseYoga, port: number, host: string): Promise<Listening> {
  const server = createServer(yoga);
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
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running after 10 s are cut: shutdown must end.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      }),
  };
}
