import { Agent, createServer, type RequestListener, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface HttpServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Serves `handler` (a Yoga instance) on a free port of 127.0.0.1, with the keep-alive settings of src/http/listen.ts. */
export async function listen(handler: RequestListener): Promise<HttpServer> {
  const server = createServer(handler);
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface HttpCall {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sequential requests over one keep-alive connection per target, alternating between targets
 * request by request; latencies (ms) per target. Checks every answer like the in-process harness.
 */
export async function alternatingHttp(
  targets: readonly { name: string; call: HttpCall }[],
  perTarget: number,
): Promise<Record<string, Float64Array>> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const out = Object.fromEntries(targets.map((t) => [t.name, new Float64Array(perTarget)]));
  try {
    for (let i = 0; i < perTarget; i++) {
      for (let k = 0; k < targets.length; k++) {
        const j = (k + i) % targets.length;
        const t = targets[j]!;
        const s = performance.now();
        await post(t.call, agents[j]!);
        out[t.name]![i] = performance.now() - s;
      }
    }
  } finally {
    for (const a of agents) a.destroy();
  }
  return out;
}

export function post(call: HttpCall, agent?: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      call.url,
      {
        method: 'POST',
        agent,
        headers: {
          ...call.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(call.body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200 || text.includes('"errors"')) {
            reject(new Error(`HTTP ${res.statusCode} from ${call.url}: ${text.slice(0, 300)}`));
          } else resolve(text);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(call.body);
  });
}
