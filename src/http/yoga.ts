import type { IncomingMessage } from 'node:http';
import { createGraphQLError, createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { useGatehouseAuth } from '../graphql/auth-plugin.js';
import type { GatehouseContext } from '../graphql/context.js';
import { createMaskError } from '../graphql/mask.js';
import { gatehouseSchema } from '../graphql/schema.js';
import type { Services } from '../services.js';
import { clientIp } from './client-ip.js';
import { useRoutes } from './routes.js';

export type ServerContext = { req?: IncomingMessage };
export type GatehouseYoga = YogaServerInstance<ServerContext, GatehouseContext>;

export interface YogaOptions {
  /** Extra Envelop/Yoga plugins, appended after Gatehouse's own. */
  plugins?: Plugin[];
}

export function createGatehouseYoga(services: Services, options: YogaOptions = {}): GatehouseYoga {
  const { manifest, logger } = services;
  const trusted = new Set(manifest.server.http.trustedProxies);
  const defaultApp = manifest.apps[0]!;
  return createYoga<ServerContext, Partial<GatehouseContext>>({
    schema: gatehouseSchema(),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: !services.env.production,
    logging: false,
    batching: manifest.server.graphql.maxBatch > 0 ? { limit: manifest.server.graphql.maxBatch } : false,
    maskedErrors: { maskError: createMaskError((err) => logger.error({ err }, 'unexpected error')) },
    context: ({ request, req }) => {
      const slug = request.headers.get('x-gatehouse-app');
      const app = slug === null ? defaultApp : services.app(slug);
      if (!app) {
        throw createGraphQLError('Unknown app', {
          extensions: { code: 'BAD_USER_INPUT', field: 'X-Gatehouse-App', http: { status: 400 } },
        });
      }
      return {
        app,
        services,
        clientIp: clientIp(req?.socket.remoteAddress, request.headers.get('x-forwarded-for'), trusted),
        userAgent: request.headers.get('user-agent') ?? undefined,
      };
    },
    plugins: [useRoutes(services), useGatehouseAuth() as Plugin, ...(options.plugins ?? [])],
  }) as unknown as GatehouseYoga;
}
