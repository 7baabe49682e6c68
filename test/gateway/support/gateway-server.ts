import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type Plugin } from 'graphql-yoga';
import { createGateway, type Gateway, type GatewayOptions } from '../../../src/gateway/index.js';
import { useGatehouseAuth } from '../../../src/graphql/auth-plugin.js';
import type { GatehouseContext } from '../../../src/graphql/context.js';
import { gatehouseSchema } from '../../../src/graphql/schema.js';
import { useCookies } from '../../../src/http/security/index.js';
import type { TestInstance } from '../../helpers/gatehouse.js';

export interface GatewayUnderTest {
  url: string;
  gateway: Gateway;
  close(): Promise<void>;
}

/**
 * Gatehouse in gateway mode over `gh`'s services and manifest (`downstream` included). When the
 * instance already serves the gateway itself (`gatehouse.gateway`, once wired into
 * createGatehouse), that is what the tests hit; until then an equivalent Yoga is built here with
 * the same schema factory, auth plugin and context.
 */
export async function gatewayFor(gh: TestInstance, opts: GatewayOptions = {}): Promise<GatewayUnderTest> {
  const wired = (gh.gatehouse as { gateway?: Gateway }).gateway;
  if (wired) return { url: gh.url, gateway: wired, close: async () => {} };
  const services = gh.gatehouse.services;
  const gateway = await createGateway(services, gatehouseSchema(), opts);
  const app = services.manifest.apps[0]!;
  const yoga = createYoga({
    schema: () => gateway.schema(),
    logging: false,
    context: ({ request }): Partial<GatehouseContext> => ({
      app: services.app(request.headers.get('x-gatehouse-app') ?? app.slug) ?? app,
      services,
      clientIp: '127.0.0.1',
      userAgent: request.headers.get('user-agent') ?? undefined,
    }),
    plugins: [useCookies() as Plugin, useGatehouseAuth() as Plugin],
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    gateway,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
