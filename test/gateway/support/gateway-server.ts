import { createGateway, type Gateway, type GatewayOptions } from '../../../src/gateway/index.js';
import { gatehouseSchema } from '../../../src/graphql/schema.js';
import { listenHttp } from '../../../src/http/listen.js';
import { createGatehouseYoga } from '../../../src/http/yoga.js';
import type { TestInstance } from '../../helpers/gatehouse.js';

export interface GatewayUnderTest {
  url: string;
  gateway: Gateway;
  close(): Promise<void>;
}

/**
 * Gatehouse in gateway mode over `gh`'s services and manifest (`downstream` included). When the
 * instance serves the gateway itself (`gatehouse.gateway`, once createGatehouse wires it), that is
 * what the tests hit; otherwise Gatehouse's own Yoga (same plugins, CSRF guard, context) is started
 * here with the gateway's schema factory.
 */
export async function gatewayFor(gh: TestInstance, opts: GatewayOptions = {}): Promise<GatewayUnderTest> {
  const wired = (gh.gatehouse as { gateway?: Gateway }).gateway;
  if (wired) return { url: gh.url, gateway: wired, close: async () => {} };
  const services = gh.gatehouse.services;
  const gateway = await createGateway(services, gatehouseSchema(), opts);
  const listening = await listenHttp(createGatehouseYoga(services, { schema: () => gateway.schema() }), 0, '127.0.0.1');
  return { url: listening.url, gateway, close: () => listening.close() };
}
