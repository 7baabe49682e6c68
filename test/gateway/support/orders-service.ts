import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { deriveGatewayKey, verifyGatewaySignature } from '../../../src/gateway/signature.js';
import { TEST_SECRET } from '../../helpers/gatehouse.js';

/**
 * A downstream service as another team would write it: plain graphql-yoga, @auth / @permission
 * only declared in its SDL (published at `_service { sdl }`), and no request accepted unless it
 * carries a valid gateway signature.
 */
export const ORDERS_SDL = /* GraphQL */ `
  directive @auth(roles: [String!]) on OBJECT | FIELD_DEFINITION | INTERFACE
  directive @permission(resource: String!, action: String!) repeatable on OBJECT | FIELD_DEFINITION | INTERFACE
  type Order { id: ID! owner: ID! total: Int! }
  type Query {
    publicInfo: String!
    myOrders: [Order!]! @auth
    allOrders: [Order!]! @permission(resource: "orders", action: "read")
  }
`;

const SERVICE_SDL = /* GraphQL */ `
  type _Service { sdl: String }
  extend type Query { _service: _Service! }
`;

type Ctx = { gatewayUser: string | null; req: { headers: IncomingHttpHeaders } };

export interface OrdersService {
  name: string;
  url: string;
  calls: { publicInfo: number; myOrders: number; allOrders: number; sdl: number };
  /** Headers of the last request the service accepted. */
  lastHeaders: IncomingHttpHeaders | undefined;
  /** Requests refused for a missing or bad gateway signature. */
  refused: number;
  /** Extra SDL the next `_service` answer (and schema) will include, for reload tests. */
  setExtra(sdl: string, resolvers?: Record<string, () => unknown>): void;
  close(): Promise<void>;
}

export async function startOrdersService(name = 'orders'): Promise<OrdersService> {
  const key = deriveGatewayKey(TEST_SECRET, name);
  const calls = { publicInfo: 0, myOrders: 0, allOrders: 0, sdl: 0 };
  let extra = '';
  let extraResolvers: Record<string, () => unknown> = {};
  const orders = (owner: string) => [
    { id: `${owner}-1`, owner, total: 42 },
    { id: `${owner}-2`, owner, total: 7 },
  ];
  const schemaNow = () =>
    createSchema<Ctx>({
      typeDefs: [ORDERS_SDL, SERVICE_SDL, extra],
      resolvers: {
        Query: {
          _service: () => {
            calls.sdl++;
            return { sdl: `${ORDERS_SDL}\n${extra}` };
          },
          publicInfo: () => {
            calls.publicInfo++;
            return 'open to all';
          },
          myOrders: (_r: unknown, _a: unknown, ctx: { gatewayUser: string | null }) => {
            calls.myOrders++;
            return ctx.gatewayUser ? orders(ctx.gatewayUser) : [];
          },
          allOrders: () => {
            calls.allOrders++;
            return [...orders('a'), ...orders('b')];
          },
          ...extraResolvers,
        },
      },
    });

  const service: OrdersService = {
    name,
    url: '',
    calls,
    lastHeaders: undefined,
    refused: 0,
    setExtra(sdl, resolvers = {}) {
      extra = sdl;
      extraResolvers = resolvers;
      current = schemaNow();
    },
    close: async () => {},
  };

  // The service's own guard: only traffic the gateway signed for it, and the identity it vouches for.
  const requireGateway: Plugin = {
    onRequest({ request, endResponse, fetchAPI }) {
      const v = verifyGatewaySignature(request.headers, key, { service: name, maxAgeSeconds: 30 });
      if (!v.ok) {
        service.refused++;
        endResponse(
          fetchAPI.Response.json({ errors: [{ message: `gateway signature ${v.reason}` }] }, { status: 403 }),
        );
      }
    },
  };
  let current = schemaNow();
  const yoga = createYoga<Pick<Ctx, 'req'>, Pick<Ctx, 'gatewayUser'>>({
    schema: () => current,
    logging: false,
    plugins: [requireGateway],
    context: ({ request, req }) => {
      service.lastHeaders = req.headers;
      const v = verifyGatewaySignature(request.headers, key, { service: name });
      return { gatewayUser: v.ok ? v.userId : null };
    },
  });
  const server: Server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  service.close = () => new Promise((resolve) => server.close(() => resolve()));
  return service;
}
