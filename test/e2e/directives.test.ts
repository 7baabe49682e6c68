import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSchema, createYoga } from 'graphql-yoga';
import { useGatehouseAuth } from '../../src/graphql/auth-plugin.js';
import { GATEHOUSE_DIRECTIVES_SDL } from '../../src/vocabulary/index.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, type GqlError, gql } from '../helpers/graphql.js';
import { testManifest } from '../helpers/manifest.js';
import { loginUser, registerUser } from '../helpers/users.js';

const ADMIN = { email: 'boss@example.test', password: 'Boss-Passphrase-Meadow-2024' };

/**
 * A schema of our own with the directives at every place they may stand, enforced by the same
 * plugin Gatehouse uses: object-level, field-level, roles, and a guarded type reached through an interface.
 */
const typeDefs = /* GraphQL */ `
  ${GATEHOUSE_DIRECTIVES_SDL}
  interface Node { id: ID! }
  type Secret implements Node @auth(roles: ["admin"]) { id: ID! code: String! }
  type Note implements Node { id: ID! text: String! }
  type Query {
    open: String!
    node(id: ID!): Node
    adminOnly: String! @auth(roles: ["admin"])
    reports: [String!]! @permission(resource: "reports", action: "read")
  }
`;

describe('@auth / @permission enforcement on any schema', () => {
  let gh: TestInstance;
  let server: Server;
  let url: string;
  const calls: Record<string, number> = { node: 0, adminOnly: 0, reports: 0 };
  before(async () => {
    gh = await startGatehouse({
      manifest: testManifest({
        users: { allow_registration: true, demo_users: [{ ...ADMIN, roles: ['admin'] }] },
        policy: { authorization: { initial_policies: [['admin', 'reports', 'read']] } },
      }),
    });
    const services = gh.gatehouse.services;
    const yoga = createYoga({
      schema: createSchema({
        typeDefs,
        resolvers: {
          Node: { __resolveType: (o: { code?: string }) => (o.code ? 'Secret' : 'Note') },
          Query: {
            open: () => 'open',
            node: (_: unknown, { id }: { id: string }) => {
              calls.node!++;
              return id === 's1' ? { id, code: 'xyzzy' } : { id, text: 'hello' };
            },
            adminOnly: () => {
              calls.adminOnly!++;
              return 'top';
            },
            reports: () => {
              calls.reports!++;
              return ['q1'];
            },
          },
        },
      }),
      context: ({ request }) => ({
        services,
        app: services.manifest.apps[0]!,
        clientIp: '127.0.0.1',
        userAgent: request.headers.get('user-agent') ?? undefined,
      }),
      plugins: [useGatehouseAuth()],
      logging: false,
    });
    server = createServer(yoga);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await gh.close();
  });

  it('@auth(roles:) refuses a user without the role (resolver never runs) and allows one with it', async () => {
    const u = await registerUser(gh.url);
    const admin = await loginUser(gh.url, ADMIN.email, ADMIN.password);
    assert.equal((await gql<{ open: string }, object>(url, '{ open }')).data?.open, 'open');
    assert.equal(codeOf(await gql(url, '{ adminOnly }')), 'UNAUTHENTICATED');
    assert.equal(codeOf(await gql(url, '{ adminOnly }', {}, { token: u.accessToken })), 'FORBIDDEN');
    assert.equal(calls.adminOnly, 0);
    assert.equal(
      (await gql<{ adminOnly: string }, object>(url, '{ adminOnly }', {}, { token: admin.accessToken })).data
        ?.adminOnly,
      'top',
    );
    assert.equal(codeOf(await gql(url, '{ reports }', {}, { token: u.accessToken })), 'FORBIDDEN');
    assert.equal(calls.reports, 0);
    assert.deepEqual(
      (await gql<{ reports: string[] }, object>(url, '{ reports }', {}, { token: admin.accessToken })).data?.reports,
      ['q1'],
    );
  });

  it('policy.required: every root field outside the public list needs a token', async () => {
    const services = gh.gatehouse.services;
    const base = services.manifest.apps[0]!;
    const app = { ...base, policy: { ...base.policy, required: true } };
    const strict = createYoga({
      schema: createSchema({ typeDefs, resolvers: { Query: { open: () => 'open' } } }),
      context: () => ({ services, app, clientIp: '127.0.0.1', userAgent: undefined }),
      plugins: [useGatehouseAuth()],
      logging: false,
    });
    const ask = async (token?: string) => {
      const res = await strict.fetch('http://local/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query: '{ open }' }),
      });
      return (await res.json()) as { data?: { open: string } | null; errors?: GqlError[] };
    };
    assert.equal(codeOf(await ask()), 'UNAUTHENTICATED');
    const u = await registerUser(gh.url);
    assert.equal((await ask(u.accessToken)).data?.open, 'open');
  });

  it('a type-level @auth holds when the type is reached through an interface', async () => {
    const u = await registerUser(gh.url);
    const viaInterface = await gql(
      url,
      '{ node(id: "s1") { id ... on Secret { code } } }',
      {},
      { token: u.accessToken },
    );
    assert.equal(codeOf(viaInterface), 'FORBIDDEN');
    const idOnly = await gql(url, '{ node(id: "s1") { id } }', {}, { token: u.accessToken });
    assert.equal(
      codeOf(idOnly),
      'FORBIDDEN',
      'selecting only interface fields must not bypass the implementation guard',
    );
    assert.equal(calls.node, 0);
  });
});
