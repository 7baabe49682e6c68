import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import {
  type GatewayRefusal,
  type GatewayVerification,
  verifyGatewaySignature,
} from '../../../src/library/gateway-verify.js';
import { deriveGatewayKey } from '../../../src/vocabulary/index.js';
import { TEST_SECRET } from '../../helpers/gatehouse.js';

/**
 * A downstream service as another team would write it: plain graphql-yoga, @auth / @permission
 * only declared in its SDL (published at `_service { sdl }`), and no request accepted unless it
 * carries a valid gateway signature over its method and exact body, seen for the first time.
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

/** What the resolvers see: the identity the verified signature vouches for, nothing read from headers. */
type Ctx = { gateway: Extract<GatewayVerification, { ok: true }> };

/** One request as it reached the service: enough to replay it byte for byte. */
export interface Captured {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface OrdersService {
  name: string;
  url: string;
  calls: { publicInfo: number; myOrders: number; allOrders: number; sdl: number };
  /** Headers of the last request the service accepted. */
  lastHeaders: IncomingHttpHeaders | undefined;
  /** Every request the service accepted, in order. */
  accepted: Captured[];
  /** Requests refused for a missing or bad gateway signature. */
  refused: number;
  /** Why each refused request was refused, in order. */
  refusals: GatewayRefusal[];
  /** Extra SDL the next `_service` answer (and schema) will include, for reload tests. */
  setExtra(sdl: string, resolvers?: Record<string, () => unknown>): void;
  close(): Promise<void>;
}

async function rawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function fetchHeaders(h: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [name, v] of Object.entries(h)) {
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) out.append(name, one);
  }
  return out;
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
          myOrders: (_r: unknown, _a: unknown, ctx: Ctx) => {
            calls.myOrders++;
            return ctx.gateway.userId ? orders(ctx.gateway.userId) : [];
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
    accepted: [],
    refused: 0,
    refusals: [],
    setExtra(sdl, resolvers = {}) {
      extra = sdl;
      extraResolvers = resolvers;
      current = schemaNow();
    },
    close: async () => {},
  };

  let current = schemaNow();
  const yoga = createYoga<Ctx>({ schema: () => current, logging: false });

  // The service's own guard, before GraphQL sees anything: read the raw body, verify the gateway's
  // signature over it, and hand Yoga exactly the bytes that were verified.
  const server: Server = createServer(async (req, res) => {
    const body = await rawBody(req);
    const method = req.method ?? 'GET';
    const v = await verifyGatewaySignature({ method, headers: req.headers, body }, key);
    if (!v.ok) {
      service.refused++;
      service.refusals.push(v.reason);
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: `gateway signature ${v.reason}` }] }));
      return;
    }
    service.lastHeaders = req.headers;
    service.accepted.push({ method, headers: { ...req.headers }, body: body.toString('utf8') });
    const init: RequestInit = {
      method,
      headers: fetchHeaders(req.headers),
      ...(body.length ? { body: new Uint8Array(body) } : {}),
    };
    const answer = await yoga.fetch(`http://127.0.0.1${req.url ?? '/graphql'}`, init, { gateway: v });
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  service.close = () => new Promise((resolve) => server.close(() => resolve()));
  return service;
}
