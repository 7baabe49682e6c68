import type { Plugin } from 'graphql-yoga';
import { pino } from 'pino';
import { useCachedGatehouseAuth } from '../../src/graphql/auth-cache.js';
import { createGatehouseYoga } from '../../src/http/yoga.js';
import { createLogger } from '../../src/observability/logger.js';
import type { BigWorld } from '../context.js';
import { type HttpServer, listen } from '../lib/http.js';
import { graphqlInit, type InitFor, send } from '../lib/inprocess.js';
import { MAIN_APP } from '../world/manifest.js';
import { type BenchYoga, benchSchema, gatehouseYoga, plainYoga, QUERIES, type QueryName } from '../world/schema.js';
import { tokens } from '../world/tokens.js';

/** Warm tokens cycled through by the warm scenarios: seen before, their users' permission memos built. */
export const WARM_TOKENS = 64;

/**
 * The Gatehouse servers compared with plain Yoga: as shipped (auth-plugin.ts), and with the
 * per-document validation cache (auth-cache.ts) proposed in issue 8.
 */
export const GATEHOUSES = {
  gatehouse: { label: 'Gatehouse', plugin: undefined },
  cached: { label: 'Gatehouse + auth-cache', plugin: useCachedGatehouseAuth as () => Plugin },
} as const;
export type GatehouseKind = keyof typeof GATEHOUSES;
export const GATEHOUSE_KINDS = Object.keys(GATEHOUSES) as GatehouseKind[];
export type ServerKind = 'plain' | GatehouseKind;
/** The servers compared over HTTP: plain, the auth plugins, and the whole served stack. */
export type HttpKind = ServerKind | 'full';
export const HTTP_KINDS: readonly HttpKind[] = ['plain', ...GATEHOUSE_KINDS, 'full'];

/** Gatehouse's whole Yoga (createGatehouseYoga: logging, metrics, hardening, cookies, CSRF…) over the same schema. */
export const FULL_STACK_LABEL = 'full Gatehouse stack, createGatehouseYoga';

export interface TaxFixture {
  plain: BenchYoga;
  gatehouse: BenchYoga;
  cached: BenchYoga;
  /** What `gatehouse serve` runs per request, over the benchmark schema (info: more than the auth tax). */
  full: BenchYoga;
  warm: string[];
  /** The i-th request of a run of `query`, cycling through `pool` (same requests for both servers). */
  initFor(query: QueryName, pool: readonly string[], app?: string): InitFor;
  /** Both servers over HTTP on 127.0.0.1 (started on first use). */
  http(): Promise<Record<HttpKind, HttpServer>>;
}

export function requestsFor(query: QueryName, pool: readonly string[], app = MAIN_APP): RequestInit[] {
  return pool.map((t) => graphqlInit(QUERIES[query], { authorization: `Bearer ${t}`, 'x-gatehouse-app': app }));
}

let fixture: Promise<TaxFixture> | undefined;
let servers: Promise<Record<HttpKind, HttpServer>> | undefined;

/** Stops the HTTP servers if they were started. */
export async function closeFixture(): Promise<void> {
  const s = await servers?.catch(() => undefined);
  servers = undefined;
  fixture = undefined;
  if (s) await Promise.all(Object.values(s).map((server) => server.close()));
}

/** Plain and Gatehouse Yoga over the benchmark schema, with warm tokens (each already verified and authorized once). */
export function taxFixture(world: BigWorld): Promise<TaxFixture> {
  fixture ??= (async () => {
    const plain = plainYoga();
    const gatehouse = gatehouseYoga(world.services);
    const cached = gatehouseYoga(world.services, GATEHOUSES.cached.plugin);
    // Logs as `serve` does (info, one line per request), into /dev/null: the serialisation is part of the stack.
    const logger = createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: false }) });
    const full = createGatehouseYoga({ ...world.services, logger }, { schema: benchSchema() }) as unknown as BenchYoga;
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
        await send(cached, next(i));
        await send(full, next(i));
      }
    }
    const http = () => {
      servers ??= Promise.all([listen(plain), listen(gatehouse), listen(cached), listen(full)]).then(
        ([p, g, c, f]) => ({ plain: p, gatehouse: g, cached: c, full: f }),
      );
      return servers;
    };
    return { plain, gatehouse, cached, full, warm, initFor, http };
  })();
  return fixture;
}
