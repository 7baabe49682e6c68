import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import type { AppConfig } from '../../src/config/index.js';
import {
  checkCsrf,
  clearAuthCookies,
  csrfBinding,
  setAuthCookies,
  useCloseAfterTooLarge,
  useCookies,
  useGraphQLHardening,
  useRequestBodyLimit,
  useSecurityHeaders,
  yogaSecurityOptions,
} from '../../src/http/security/index.js';
import { manifestFrom, testManifest } from '../helpers/manifest.js';

export const ALLOWED_ORIGIN = 'https://app.example.test';
/** The stand-in server's secret: tests compute the session-bound CSRF tokens it expects. */
export const binding = csrfBinding('stand-in-secret-for-the-http-security-tests-0123456789');

/** An access token shaped like Gatehouse's (the CSRF check reads only its `sid`; nothing here verifies it). */
export const accessTokenFor = (sid: string) =>
  ['{"alg":"EdDSA","typ":"at+jwt"}', JSON.stringify({ sid })]
    .map((part) => Buffer.from(part).toString('base64url'))
    .concat('c2ln')
    .join('.');
export const CORS_ORIGIN = 'https://spa.example.test';

/** What a tiny stand-in schema resolved: hardening must stop bad documents before any of this moves. */
export interface Calls {
  login: number;
  other: number;
}

export interface SecurityApp {
  url: string;
  origin: string;
  app: AppConfig;
  calls: Calls;
  close(): Promise<void>;
}

const typeDefs = /* GraphQL */ `
  type Node { name: String!  child: Node }
  type Query { hello: String!  node: Node! }
  type Mutation {
    login(email: String!, password: String!): String!
    register(email: String!): String!
    loginAnonymous(deviceId: String!): String!
    refresh(refreshToken: String): String!
    changePassword(newPassword: String!): Boolean!
    logout: Boolean!
  }
`;

export interface AppOptions {
  production?: boolean;
  /** Manifest `server.http.trusted_proxies`. */
  trustedProxies?: string[];
  /** Serve GraphiQL (as Gatehouse does in development). */
  graphiql?: boolean;
}

/**
 * A real Yoga server on 127.0.0.1 with Gatehouse's security plugins and options, wired the way
 * src/http/yoga.ts wires them, over a small schema whose resolvers count their calls.
 * `POST|GET /csrf` answers checkCsrf's verdict for the request as sent.
 */
export async function startSecurityApp(options: AppOptions = {}): Promise<SecurityApp> {
  const manifest = manifestFrom(
    testManifest(
      { cookies: { enabled: true, same_site: 'lax', allowed_origins: [ALLOWED_ORIGIN] } },
      { http: { cors_origins: [CORS_ORIGIN], trusted_proxies: options.trustedProxies ?? [] } },
    ),
  );
  const app = manifest.apps[0]!;
  const calls: Calls = { login: 0, other: 0 };
  const tokens = () => {
    const sid = randomBytes(16).toString('base64url');
    return {
      accessToken: accessTokenFor(sid),
      accessExpiresAt: Math.floor(Date.now() / 1000) + 600,
      refreshToken: 'opaque-refresh-token',
      refreshExpiresAt: Math.floor(Date.now() / 1000) + 86_400,
      csrf: binding.tokenFor(app.slug, sid),
    };
  };
  const counted = <T>(value: T) => {
    calls.other++;
    return value;
  };
  const schema = createSchema<{ request: Request }>({
    typeDefs,
    resolvers: {
      Query: {
        hello: () => counted('world'),
        node: () => counted({ name: 'root' }),
      },
      Node: { child: (n: { name: string }) => ({ name: `${n.name}+` }) },
      Mutation: {
        login: async (_: unknown, __: unknown, ctx: { request: Request }) => {
          calls.login++;
          await setAuthCookies(ctx.request, app, tokens());
          return 'ok';
        },
        register: () => counted('ok'),
        loginAnonymous: () => counted('ok'),
        refresh: () => counted('ok'),
        changePassword: () => counted(true),
        logout: async (_: unknown, __: unknown, ctx: { request: Request }) => {
          await clearAuthCookies(ctx.request, app);
          return counted(true);
        },
      },
    },
  });
  const csrfProbe: Plugin = {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname === '/csrf')
        endResponse(fetchAPI.Response.json({ verdict: await checkCsrf(request, app, binding) }));
    },
  };
  const production = options.production ?? false;
  const yoga = createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: options.graphiql ?? false,
    logging: false,
    ...yogaSecurityOptions(manifest.server),
    maxRequestBodySize: false, // as createGatehouseYoga: useRequestBodyLimit instead
    plugins: [
      useCookies(),
      useSecurityHeaders({ trustedProxies: manifest.server.http.trustedProxies, graphiql: options.graphiql ?? false }),
      useCloseAfterTooLarge(),
      ...useGraphQLHardening(manifest.server.graphql, { production }),
      csrfProbe,
      useRequestBodyLimit(manifest.server.graphql.maxBodyBytes),
    ],
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/graphql`,
    origin,
    app,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Parsed `Set-Cookie`: name, value and lower-cased attribute names → value ('' for flags). */
export interface SetCookie {
  name: string;
  value: string;
  attrs: Record<string, string>;
}

export function parseSetCookies(headers: Headers): Map<string, SetCookie> {
  const out = new Map<string, SetCookie>();
  for (const line of headers.getSetCookie()) {
    const [pair, ...rest] = line.split(';');
    const eq = pair!.indexOf('=');
    const attrs: Record<string, string> = {};
    for (const a of rest) {
      const i = a.indexOf('=');
      const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
      attrs[key] = i < 0 ? '' : a.slice(i + 1).trim();
    }
    const name = pair!.slice(0, eq).trim();
    out.set(name, { name, value: decodeURIComponent(pair!.slice(eq + 1).trim()), attrs });
  }
  return out;
}
