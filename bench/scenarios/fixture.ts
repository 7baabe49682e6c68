import type { BigWorld } from '../context.js';
import { type HttpServer, listen } from '../lib/http.js';
import { graphqlInit, type InitFor, send } from '../lib/inprocess.js';
import { MAIN_APP } from '../world/manifest.js';
import { type BenchYoga, gatehouseYoga, plainYoga, QUERIES, type QueryName } from '../world/schema.js';
import { tokens } from '../world/tokens.js';

/** Warm tokens cycled through by the warm scenarios: seen before, their users' permission memos built. */
export const WARM_TOKENS = 64;

export interface TaxFixture {
  plain: BenchYoga;
  gatehouse: BenchYoga;
  warm: string[];
  /** The i-th request of a run of `query`, cycling through `pool` (same requests for both servers). */
  initFor(query: QueryName, pool: readonly string[], app?: string): InitFor;
  /** Both servers over HTTP on 127.0.0.1 (started on first use). */
  http(): Promise<{ plain: HttpServer; gatehouse: HttpServer }>;
}

export function requestsFor(query: QueryName, pool: readonly string[], app = MAIN_APP): RequestInit[] {
  return pool.map((t) => graphqlInit(QUERIES[query], { authorization: `Bearer ${t}`, 'x-gatehouse-app': app }));
}

let fixture: Promise<TaxFixture> | undefined;
let servers: Promise<{ plain: HttpServer; gatehouse: HttpServer }> | undefined;

/** Stops the HTTP servers if they were started. */
export async function closeFixture(): Promise<void> {
  const s = await servers?.catch(() => undefined);
  servers = undefined;
  fixture = undefined;
  if (s) await Promise.all([s.plain.close(), s.gatehouse.close()]);
}

/** Plain and Gatehouse Yoga over the benchmark schema, with warm tokens (each already verified and authorized once). */
export function taxFixture(world: BigWorld): Promise<TaxFixture> {
  fixture ??= (async () => {
    const plain = plainYoga();
    const gatehouse = gatehouseYoga(world.services);
    const warm = await tokens(world.services, MAIN_APP, WARM_TOKENS);
    const initFor = (query: QueryName, pool: readonly string[], app?: string): InitFor => {
      const inits = requestsFor(query, pool, app);
      return (i) => inits[i % inits.length]!;
    };
    for (const q of Object.keys(QUERIES) as QueryName[]) {
      const next = initFor(q, warm);
      for (let i = 0; i < warm.length; i++) {
        await send(plain, next(i));
        await send(gatehouse, next(i));
      }
    }
    const http = () => {
      servers ??= Promise.all([listen(plain), listen(gatehouse)]).then(([p, g]) => ({ plain: p, gatehouse: g }));
      return servers;
    };
    return { plain, gatehouse, warm, initFor, http };
  })();
  return fixture;
}
