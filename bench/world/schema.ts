import { createSchema, createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { useGatehouseAuth } from '../../src/graphql/auth-plugin.js';
import type { Services } from '../../src/services.js';
import { GATEHOUSE_DIRECTIVES_SDL } from '../../src/vocabulary/index.js';
import { FIELD_RESOURCES } from './seed.js';

/**
 * One schema and one set of resolvers, served twice: by plain graphql-yoga (the directives are
 * inert there) and by graphql-yoga with Gatehouse's context and auth plugin. Everything else is
 * identical, so the ratio of the two is the auth tax and nothing else.
 */
const typeDefs = /* GraphQL */ `
  ${GATEHOUSE_DIRECTIVES_SDL}
  type Query {
    hello: String!
    account: String! @auth
${FIELD_RESOURCES.map((r, k) => `    f${k + 1}: String! @permission(resource: "${r}", action: "read")`).join('\n')}
  }
`;

const resolvers = {
  Query: {
    hello: () => 'world',
    account: () => 'account',
    ...Object.fromEntries(FIELD_RESOURCES.map((_, k) => [`f${k + 1}`, () => `value ${k + 1}`])),
  },
};

/** The queries of the auth-tax scenarios: the same text goes to both servers. */
export const QUERIES = {
  /** One @auth field: a valid token is all it takes. */
  auth: '{ account }',
  /** One @permission field. */
  perm1: '{ f1 }',
  /** Ten @permission fields, ten permission checks. */
  perm10: `{ ${FIELD_RESOURCES.map((_, k) => `f${k + 1}`).join(' ')} }`,
} as const;
export type QueryName = keyof typeof QUERIES;

let schema: ReturnType<typeof createSchema> | undefined;
export const benchSchema = () => (schema ??= createSchema({ typeDefs, resolvers }));

// biome-ignore lint/suspicious/noExplicitAny: plain and Gatehouse Yoga differ only in their context type
export type BenchYoga = YogaServerInstance<any, any>;

const common = { logging: false, graphiql: false, landingPage: false } as const;

export function plainYoga(): BenchYoga {
  return createYoga({ ...common, schema: benchSchema() });
}

/**
 * The same server with Gatehouse in front of the resolvers: the context Gatehouse builds (app from
 * X-Gatehouse-App) and the auth plugin (`auth` swaps in another enforcement plugin to compare).
 */
export function gatehouseYoga(services: Services, auth: () => Plugin = useGatehouseAuth as () => Plugin): BenchYoga {
  const fallback = services.manifest.apps[0]!;
  return createYoga({
    ...common,
    schema: benchSchema(),
    context: ({ request }) => {
      const slug = request.headers.get('x-gatehouse-app');
      return {
        services,
        app: (slug && services.app(slug)) || fallback,
        clientIp: '127.0.0.1',
        userAgent: request.headers.get('user-agent') ?? undefined,
      };
    },
    plugins: [auth()],
  });
}
