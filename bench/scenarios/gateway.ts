import type { GraphQLSchema } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import type { Downstream, ResolvedManifest } from '../../src/config/index.js';
import { gatehouseSchema } from '../../src/graphql/schema.js';
import { createGatehouseYoga } from '../../src/http/yoga.js';
import type { Services } from '../../src/services.js';
import type { BenchContext } from '../context.js';
import { type CannonResult, cannon } from '../lib/autocannon.js';
import { type HttpCall, listen, post } from '../lib/http.js';
import { interleaved } from '../lib/rounds.js';
import { ratios } from '../lib/stats.js';
import { atLeast, type Row, row, skipped } from '../report/rows.js';
import { MAIN_APP } from '../world/manifest.js';
import { tokenFor } from '../world/tokens.js';

const SCENARIO = '7. Gateway tax';
const METRIC = 'through the stitched gateway ÷ downstream direct, HTTP';
const NOTE = '@auth downstream field, 5 items; gateway and downstream share the server core';

/** A downstream service: one @auth list field, its SDL served the Federation way (`_service { sdl }`). */
const DOWNSTREAM_SDL = /* GraphQL */ `
  directive @auth(roles: [String!]) on OBJECT | FIELD_DEFINITION | INTERFACE
  type Item { id: ID! name: String! price: Int! }
  type _Service { sdl: String }
  type Query {
    _service: _Service!
    items(first: Int!): [Item!]! @auth
  }
`;
const ITEMS = Array.from({ length: 20 }, (_, i) => ({ id: `item-${i}`, name: `Item ${i}`, price: 100 + i }));
const QUERY = '{ items(first: 5) { id name price } }';

/** What the benchmark uses of src/gateway (loaded at run time: the gateway may not be built yet). */
interface GatewayModule {
  createGateway(
    services: Pick<Services, 'manifest' | 'secret' | 'clock' | 'logger'>,
    own: GraphQLSchema,
    opts?: { load?: { attempts?: number; delayMs?: number } },
  ): Promise<{ schema(): GraphQLSchema }>;
}

async function gatewayModule(): Promise<GatewayModule | undefined> {
  const specifier = '../../src/gateway/index.js';
  try {
    const mod = (await import(specifier)) as Partial<GatewayModule>;
    return typeof mod.createGateway === 'function' ? (mod as GatewayModule) : undefined;
  } catch {
    return undefined;
  }
}

export interface GatewayFixture {
  /** `direct`: the downstream itself; `gateway`: the same query through the stitched gateway. */
  calls: Record<'direct' | 'gateway', HttpCall>;
  close(): Promise<void>;
}

/**
 * The downstream service and Gatehouse's whole Yoga over the stitched schema (as createGatehouse
 * wires gateway mode), both listening on 127.0.0.1, checked to answer alike (and to refuse an
 * anonymous caller through the gateway). Undefined when src/gateway is not built.
 */
export async function gatewayFixture(services: Services): Promise<GatewayFixture | undefined> {
  const mod = await gatewayModule();
  if (!mod) return undefined;
  const downstream = await listen(
    createYoga({
      logging: false,
      graphiql: false,
      landingPage: false,
      schema: createSchema({
        typeDefs: DOWNSTREAM_SDL,
        resolvers: {
          Query: {
            _service: () => ({ sdl: DOWNSTREAM_SDL }),
            items: (_: unknown, { first }: { first: number }) => ITEMS.slice(0, first),
          },
        },
      }),
    }),
  );
  let shipped: Awaited<ReturnType<typeof listen>> | undefined;
  const close = async () => {
    await shipped?.close();
    await downstream.close();
  };
  try {
    const entry: Downstream = { name: 'catalog', url: downstream.url };
    const manifest: ResolvedManifest = { ...services.manifest, downstream: [entry] };
    const gateway = await mod.createGateway({ ...services, manifest }, gatehouseSchema(), {
      load: { attempts: 3, delayMs: 100 },
    });
    shipped = await listen(createGatehouseYoga(services, { schema: () => gateway.schema() }));
    const token = await tokenFor(services, MAIN_APP, 1);
    const headers = { authorization: `Bearer ${token}`, 'x-gatehouse-app': MAIN_APP };
    const body = JSON.stringify({ query: QUERY });
    const calls = {
      direct: { url: downstream.url, headers, body },
      gateway: { url: shipped.url, headers, body },
    };
    const direct = await post(calls.direct);
    if (JSON.parse(direct).data?.items?.length !== 5)
      throw new Error(`the downstream answered ${direct.slice(0, 200)}`);
    const through = await post(calls.gateway);
    if (through !== direct) throw new Error(`the gateway answers differently: ${through.slice(0, 200)}`);
    const anonymous = await post({ ...calls.gateway, headers: { 'x-gatehouse-app': MAIN_APP } }).catch((e: Error) => e);
    if (!(anonymous instanceof Error)) {
      throw new Error('the gateway served an @auth downstream field to an anonymous caller');
    }
    return { calls, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Scenario 7: the downstream query straight to the downstream service vs through Gatehouse's
 * stitched gateway (token verified, @auth enforced from the downstream's SDL, signed forwarding),
 * both over HTTP with autocannon; the gateway and the downstream share the server core.
 */
export async function gatewayTax(ctx: BenchContext): Promise<Row[]> {
  const { services } = await ctx.big();
  const fx = await gatewayFixture(services);
  if (!fx)
    return [skipped(SCENARIO, METRIC, 'skipped: gateway not available (src/gateway createGateway)', atLeast(0.6))];
  try {
    const { calls } = fx;
    const opts = { connections: ctx.config.connections, durationS: ctx.config.httpRoundS };
    for (const call of Object.values(calls)) await cannon(call, { ...opts, durationS: 0.5 }); // warm-up
    const runs = await interleaved(
      Object.keys(calls),
      ctx.config.rounds,
      (name): Promise<CannonResult> => cannon(calls[name as keyof typeof calls], opts),
    );
    const rps = (name: string) => runs[name]!.map((r) => r.rps);
    return [
      row(SCENARIO, 'downstream direct, HTTP', rps('direct'), 'req/s'),
      row(SCENARIO, METRIC, ratios(rps('gateway'), rps('direct')), '×', atLeast(0.6), NOTE),
    ];
  } finally {
    await fx.close();
  }
}
