import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { GATEHOUSE_SPEC_URL } from '../../src/graphql/federation.js';
import { type GatehousePlugin, useGatehouse } from '../../src/library/index.js';
import { GATEHOUSE_DIRECTIVES_SDL } from '../../src/vocabulary/index.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { testManifest } from '../helpers/manifest.js';
import { loginUser, registerUser, type Signed } from '../helpers/users.js';

const ADMIN = { email: 'fed.admin@example.test', password: 'Federated-Passphrase-2024' };

/** A second subgraph: orders, which extends Gatehouse's `User` entity and guards with Gatehouse's directives. */
const ORDERS_SUBGRAPH = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@composeDirective"])
    @link(url: "${GATEHOUSE_SPEC_URL}", import: ["@auth", "@permission"])
    @composeDirective(name: "@auth")
    @composeDirective(name: "@permission")
  ${GATEHOUSE_DIRECTIVES_SDL}
  type Order @key(fields: "id") { id: ID! total: Int! }
  type User @key(fields: "id") { id: ID! orders: [Order!]! @auth }
  type Query { allOrders: [Order!]! @permission(resource: "orders", action: "read") }
`;

interface OrdersSubgraph {
  url: string;
  calls: { orders: number; allOrders: number };
  lastHeaders?: IncomingHttpHeaders;
  close(): Promise<void>;
}

async function startOrdersSubgraph(): Promise<OrdersSubgraph> {
  const sub: OrdersSubgraph = { url: '', calls: { orders: 0, allOrders: 0 }, close: async () => {} };
  const schema = buildSubgraphSchema({
    typeDefs: parse(ORDERS_SUBGRAPH),
    resolvers: {
      User: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        orders: (u: { id: string }) => {
          sub.calls.orders++;
          return [{ id: `${u.id}-o1`, total: 5 }];
        },
      },
      Query: {
        allOrders: () => {
          sub.calls.allOrders++;
          return [{ id: 'o1', total: 5 }];
        },
      },
    },
  });
  const yoga = createYoga<{ req: { headers: IncomingHttpHeaders } }>({
    schema,
    logging: false,
    context: ({ req }) => {
      sub.lastHeaders = req.headers;
      return {};
    },
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  sub.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sub;
}

describe('federation: Gatehouse as a subgraph behind Hive Gateway', () => {
  let gh: TestInstance;
  let orders: OrdersSubgraph;
  let hive: GatewayRuntime;
  let hiveServer: Server;
  let hiveUrl: string;
  let auth: GatehousePlugin;
  let supergraphSdl: string;

  before(async () => {
    orders = await startOrdersSubgraph();
    gh = await startGatehouse({
      manifest: testManifest({
        users: { allow_registration: true, demo_users: [{ ...ADMIN, roles: ['admin'] }] },
        policy: {
          authorization: {
            initial_policies: [
              ['admin', 'policies', 'manage'],
              ['admin', 'users', 'read'],
            ],
          },
        },
      }),
    });
    const own = await gql<{ _service: { sdl: string } }, object>(gh.url, '{ _service { sdl } }');
    assert.equal(own.errors, undefined);
    const sdl = own.data!._service.sdl;
    assert.match(sdl, /type User\s+@key\(fields: "id"\)/);
    assert.ok(sdl.includes(`@link(url: "${GATEHOUSE_SPEC_URL}", import: ["@auth", "@permission"])`));
    assert.match(sdl, /@composeDirective\(name: "@auth"\)\s+@composeDirective\(name: "@permission"\)/);
    const composed = composeServices([
      { name: 'gatehouse', typeDefs: parse(sdl), url: gh.url },
      { name: 'orders', typeDefs: parse(ORDERS_SUBGRAPH), url: orders.url },
    ]);
    assert.deepEqual(composed.errors ?? [], []);
    supergraphSdl = composed.supergraphSdl!;
    auth = useGatehouse({
      app: 'test',
      keys: { jwksUrl: new URL('/.well-known/jwks.json', gh.origin) },
      permissions: { gatehouseUrl: gh.url, cacheTtlMs: 100 },
    });
    hive = createGatewayRuntime({
      supergraph: supergraphSdl,
      logging: false,
      plugins: () => [auth],
      // What @graphql-mesh/transport-http would provide (not installed here): plain HTTP subgraph calls,
      // through Hive's fetch so its plugins (header propagation) apply.
      transports: {
        http: {
          getSubgraphExecutor: ({ transportEntry, fetch }) =>
            buildHTTPExecutor({ endpoint: transportEntry.location!, ...(fetch ? { fetch } : {}) }),
        },
      },
      propagateHeaders: {
        fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
      },
    });
    hiveServer = createServer(hive);
    await new Promise<void>((resolve) => hiveServer.listen(0, '127.0.0.1', resolve));
    hiveUrl = `http://127.0.0.1:${(hiveServer.address() as AddressInfo).port}/graphql`;
  });
  after(async () => {
    if (hiveServer) await new Promise((resolve) => hiveServer.close(resolve));
    await hive?.dispose();
    await auth?.close();
    await gh?.close();
    await orders?.close();
  });

  it('composes: the supergraph keeps @auth / @permission and the Federation equivalents', () => {
    const line = (field: string) => supergraphSdl.split('\n').find((l) => l.trimStart().startsWith(field)) ?? '';
    assert.match(line('me: User'), /@auth .*@join__field\(graph: GATEHOUSE\) @authenticated/);
    assert.match(line('orders: [Order!]!'), /@auth @join__field\(graph: ORDERS\)/);
    assert.match(line('allOrders:'), /@permission\(resource: "orders", action: "read"\)/);
    assert.match(
      line('user(id: ID!)'),
      /@permission\(resource: "users", action: "read"\).*@policy\(policies: \[\["users:read"\]\]\)/,
    );
  });

  it('me: refused without a token, answered with one, joined with the orders subgraph', async () => {
    assert.equal(codeOf(await gql(hiveUrl, '{ me { id } }')), 'UNAUTHENTICATED');
    assert.equal(codeOf(await gql(hiveUrl, '{ me { id orders { id } } }')), 'UNAUTHENTICATED');
    assert.equal(orders.calls.orders, 0);
    const u = await registerUser(gh.url);
    const r = await gql<{ me: { id: string; email: string; orders: { id: string }[] } }, object>(
      hiveUrl,
      '{ me { id email orders { id } } }',
      {},
      { token: u.accessToken },
    );
    assert.equal(r.errors, undefined);
    assert.equal(r.data?.me.email, u.email);
    assert.deepEqual(r.data?.me.orders, [{ id: `${u.userId}-o1` }]);
    assert.equal(orders.lastHeaders?.authorization, `Bearer ${u.accessToken}`);
  });

  it('a protected field of the other subgraph: UNAUTHENTICATED, FORBIDDEN until addPolicy, then allowed', async () => {
    assert.equal(codeOf(await gql(hiveUrl, '{ allOrders { id } }')), 'UNAUTHENTICATED');
    const u = await registerUser(gh.url);
    assert.equal(codeOf(await gql(hiveUrl, '{ allOrders { id } }', {}, { token: u.accessToken })), 'FORBIDDEN');
    assert.equal(orders.calls.allOrders, 0);
    const admin = await loginUser(gh.url, ADMIN.email, ADMIN.password);
    const grant = 'mutation { addPolicy(role: "user", resource: "orders", action: "read") }';
    assert.equal((await gql(gh.url, grant, {}, { token: admin.accessToken })).errors, undefined);
    const r = await eventually(() => gql(hiveUrl, '{ allOrders { id } }', {}, { token: u.accessToken }));
    assert.equal(orders.calls.allOrders, 1);
    assert.equal(r.errors, undefined);
  });

  it('_entities resolves a User only for a valid token, and only itself without users:read', async () => {
    const entities = (ids: string | string[], who?: Signed) =>
      gql<{ _entities: ({ id: string; email: string } | null)[] }, object>(
        gh.url,
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }',
        { r: [ids].flat().map((id) => ({ __typename: 'User', id })) },
        who ? { token: who.accessToken } : {},
      );
    const a = await registerUser(gh.url);
    const b = await registerUser(gh.url);
    assert.equal(codeOf(await entities(a.userId)), 'UNAUTHENTICATED');
    assert.deepEqual((await entities(a.userId, a)).data?._entities, [{ id: a.userId, email: a.email }]);
    const mixed = await entities([a.userId, b.userId], a);
    assert.equal(codeOf(mixed), 'FORBIDDEN');
    assert.deepEqual(mixed.errors?.[0]?.path, ['_entities', 1]);
    assert.deepEqual(mixed.data?._entities, [{ id: a.userId, email: a.email }, null], 'only the other user is refused');
    const admin = await loginUser(gh.url, ADMIN.email, ADMIN.password);
    assert.deepEqual((await entities(b.userId, admin)).data?._entities, [{ id: b.userId, email: b.email }]);
  });
});

/** Retries for up to 2 s (the remote permission cache holds an answer for 100 ms). */
async function eventually<T extends { errors?: unknown }>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const r = await attempt();
    if (!r.errors || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
