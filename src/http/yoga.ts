import type { IncomingMessage } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { createGraphQLError, createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { usePassThrough } from '../gateway/index.js';
import {
  createMaskError,
  type GatehouseContext,
  gatehouseSchema,
  type Services,
  useCachedGatehouseAuth,
} from '../graphql/index.js';
import { useMetrics, useMetricsRoute, useRequestLog, useTracing } from '../observability/index.js';
import { clientIp } from './client-ip.js';
import { HttpCredentials } from './credentials.js';
import { useRoutes } from './routes.js';
import {
  csrfBinding,
  useCloseAfterTooLarge,
  useCookieCsrfGuard,
  useCookies,
  useGraphQLHardening,
  useRequestBodyLimit,
  useSecurityHeaders,
  useSingleGraphQLPath,
  yogaSecurityOptions,
} from './security/index.js';

export type ServerContext = { req?: IncomingMessage };
export type GatehouseYoga = YogaServerInstance<ServerContext, GatehouseContext>;

export interface YogaOptions {
  /** Extra Envelop/Yoga plugins, appended after Gatehouse's own. */
  plugins?: Plugin[];
  /** The schema to serve instead of Gatehouse's own (the gateway's stitched schema); a function is asked per request. */
  schema?: GraphQLSchema | (() => GraphQLSchema);
}

export function createGatehouseYoga(services: Services, options: YogaOptions = {}): GatehouseYoga {
  const { manifest, logger } = services;
  const trusted = new Set(manifest.server.http.trustedProxies);
  const defaultApp = manifest.apps[0]!;
  const appOf = (request: Request) => {
    const slug = request.headers.get('x-gatehouse-app');
    return slug === null ? defaultApp : services.app(slug);
  };
  const production = services.env.production;
  const schema = options.schema;
  const binding = csrfBinding(services.secret);
  return createYoga<ServerContext, Partial<GatehouseContext>>({
    schema: typeof schema === 'function' ? () => schema() : (schema ?? gatehouseSchema()),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: !production,
    logging: false,
    ...yogaSecurityOptions(manifest.server), // CORS allow-list, body-size limit, batching limit
    maxRequestBodySize: false, // the limit is useRequestBodyLimit's (below): the same answers, less work
    maskedErrors: { maskError: createMaskError((err) => logger.error({ err }, 'unexpected error')) },
    context: ({ request, req }) => {
      const app = appOf(request);
      if (!app) {
        throw createGraphQLError('Unknown app', {
          extensions: { code: 'BAD_USER_INPUT', field: 'X-Gatehouse-App', http: { status: 400 } },
        });
      }
      return {
        app,
        services,
        flows: services.flows,
        clientIp: clientIp(req?.socket.remoteAddress, request.headers.get('x-forwarded-for'), trusted),
        userAgent: request.headers.get('user-agent') ?? undefined,
        credentials: new HttpCredentials(request, app, binding),
      };
    },
    plugins: [
      useTracing(), // outermost instrumentation: every later hook of an operation runs inside its span
      useRequestLog(logger, { sample: services.env.requestLogSample }), // first onRequest: its onRequest must run even for routes another plugin answers
      // Cookie mode only (no per-request cookie parsing otherwise); before auth: the credentials in the context read cookies while it is built.
      ...(manifest.apps.some((a) => a.cookies.enabled) ? [useCookies()] : []),
      useSecurityHeaders({ trustedProxies: manifest.server.http.trustedProxies, graphiql: !production }),
      useCloseAfterTooLarge(),
      useSingleGraphQLPath(),
      useCookieCsrfGuard(appOf, binding),
      useMetricsRoute(services.metrics),
      useRoutes(services),
      ...useGraphQLHardening(manifest.server.graphql, { production }),
      useMetrics(services.metrics),
      useCachedGatehouseAuth() as Plugin,
      usePassThrough(), // gateway mode: one service's operation goes to it in one call (after enforcement decided)
      ...(options.plugins ?? []),
      useRequestBodyLimit(manifest.server.graphql.maxBodyBytes), // after every request parser
    ],
  }) as unknown as GatehouseYoga;
}
