import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSchema, createYoga } from 'graphql-yoga';
import { decodeProtectedHeader } from 'jose';
import { type GatehousePlugin, type UseGatehouseOptions, useGatehouse } from '../../src/library/index.js';
import type { VerifiedToken } from '../../src/tokens/types.js';
import { GATEHOUSE_DIRECTIVES_SDL } from '../../src/vocabulary/index.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { loginUser, registerUser } from '../helpers/users.js';

const ADMIN = { email: 'lib.admin@example.test', password: 'Library-Admin-Passphrase-2024' };

/** Another team's server: its own schema, Gatehouse's directives, and `useGatehouse`. */
const typeDefs = /* GraphQL */ `
  ${GATEHOUSE_DIRECTIVES_SDL}
  type Query {
    open: String!
    whoami: String! @auth
    reports: [String!]! @permission(resource: "reports", action: "read")
    adminOnly: String! @auth(roles: ["admin"])
    vault: Vault
  }
  type Vault @auth(roles: ["admin"]) { id: ID! }
`;

interface Served {
  url: string;
  calls: Record<'whoami' | 'reports' | 'adminOnly' | 'vault', number>;
  plugin: GatehousePlugin;
  close(): Promise<void>;
}

async function serve(options: UseGatehouseOptions): Promise<Served> {
  const calls = { whoami: 0, reports: 0, adminOnly: 0, vault: 0 };
  const plugin = useGatehouse(options);
  const yoga = createYoga<object, { currentUser: VerifiedToken | null }>({
    schema: createSchema<{ currentUser: VerifiedToken | null }>({
      typeDefs,
      resolvers: {
        Query: {
          open: () => 'open',
          whoami: (_r, _a, ctx) => {
            calls.whoami++;
            return ctx.currentUser!.userId;
          },
          reports: () => {
            calls.reports++;
            return ['q1'];
          },
          adminOnly: () => {
            calls.adminOnly++;
            return 'top';
          },
          vault: () => {
            calls.vault++;
            return { id: 'v1' };
          },
        },
      },
    }),
    logging: false,
    plugins: [plugin],
  });
  const server: Server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    calls,
    plugin,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await plugin.close();
    },
  };
}

/** Retries for up to 3 s: policy changes and revocations reach the library within a poll or a cache TTL. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 3000;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe('useGatehouse: the library plugin on a separate Yoga server', () => {
  let gh: TestInstance;
  const servers: Record<string, Served> = {};

  before(async () => {
    gh = await startGatehouse({
      manifest: {
        apps: [
          {
            slug: 'test',
            auth: {
              users: { allow_registration: true, demo_users: [{ ...ADMIN, roles: ['admin'] }] },
              policy: {
                authorization: {
                  initial_policies: [
                    ['admin', 'policies', 'manage'],
                    ['admin', 'reports', 'read'],
                  ],
                },
              },
            },
          },
          { slug: 'other', auth: { users: { allow_registration: true } } },
        ],
      },
    });
    const keys = { jwksUrl: new URL('/.well-known/jwks.json', gh.origin), cooldownMs: 0 };
    servers.mongodb = await serve({ app: 'test', keys, permissions: { mongodb: gh.database.db, pollMs: 100 } });
    servers.remote = await serve({ app: 'test', keys, permissions: { gatehouseUrl: gh.url, cacheTtlMs: 100 } });
    await servers.mongodb.plugin.ready();
  });
  after(async () => {
    for (const s of Object.values(servers)) await s.close();
    await gh?.close();
  });

  for (const mode of ['mongodb', 'remote'] as const) {
    describe(`permissions from ${mode}`, () => {
      it('@auth: anonymous refused before the resolver runs; a Gatehouse token gets through as currentUser', async () => {
        const s = servers[mode]!;
        assert.equal((await gql<{ open: string }, object>(s.url, '{ open }')).data?.open, 'open');
        assert.equal(codeOf(await gql(s.url, '{ whoami }')), 'UNAUTHENTICATED');
        assert.equal(s.calls.whoami, 0);
        const u = await registerUser(gh.url);
        const r = await gql<{ whoami: string }, object>(s.url, '{ whoami }', {}, { token: u.accessToken });
        assert.equal(r.data?.whoami, u.userId);
      });

      it('refuses a tampered token and a token of another app', async () => {
        const s = servers[mode]!;
        const u = await registerUser(gh.url);
        const tampered = `${u.accessToken.slice(0, -4)}${u.accessToken.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
        assert.equal(codeOf(await gql(s.url, '{ whoami }', {}, { token: tampered })), 'UNAUTHENTICATED');
        const foreign = await registerUser(gh.url, { headers: { 'x-gatehouse-app': 'other' } });
        assert.equal(codeOf(await gql(s.url, '{ whoami }', {}, { token: foreign.accessToken })), 'UNAUTHENTICATED');
      });

      it('@auth(roles:) and @permission against live roles and policies', async () => {
        const s = servers[mode]!;
        const u = await registerUser(gh.url);
        const admin = await loginUser(gh.url, ADMIN.email, ADMIN.password);
        const calls = { ...s.calls };
        assert.equal(codeOf(await gql(s.url, '{ adminOnly }', {}, { token: u.accessToken })), 'FORBIDDEN');
        assert.equal(codeOf(await gql(s.url, '{ reports }', {}, { token: u.accessToken })), 'FORBIDDEN');
        assert.deepEqual(s.calls, calls, 'no refused resolver ran');
        assert.equal((await gql(s.url, '{ adminOnly reports }', {}, { token: admin.accessToken })).errors, undefined);
        // a guarded type guards the field that returns it: `__typename` alone does not slip past
        for (const q of [
          '{ vault { __typename } }',
          '{ v: vault { __typename } }',
          '{ ...F } fragment F on Query { vault { __typename } }',
        ]) {
          const before = s.calls.vault;
          assert.equal(codeOf(await gql(s.url, q)), 'UNAUTHENTICATED', q);
          assert.equal(codeOf(await gql(s.url, q, {}, { token: u.accessToken })), 'FORBIDDEN', q);
          assert.equal(s.calls.vault, before, `${q} ran the resolver`);
        }
        assert.equal(
          (await gql(s.url, '{ vault { __typename } }', {}, { token: admin.accessToken })).errors,
          undefined,
        );
        const role = `reader_${mode}`;
        const grant = `mutation { addPolicy(role: "${role}", resource: "reports", action: "read") grantRole(userId: "${u.userId}", role: "${role}") }`;
        const addPolicy = 'mutation { addPolicy(role: "admin", resource: "roles", action: "manage") }';
        assert.equal((await gql(gh.url, addPolicy, {}, { token: admin.accessToken })).errors, undefined);
        assert.equal((await gql(gh.url, grant, {}, { token: admin.accessToken })).errors, undefined);
        const allowed = () =>
          gql(s.url, '{ reports }', {}, { token: u.accessToken }).then((r) => r.errors === undefined);
        assert.ok(await eventually(allowed), 'the grant reached the library');
      });

      it('keeps verifying after `keys rotate`: new tokens (new kid) and old ones', async () => {
        const s = servers[mode]!;
        const before = await registerUser(gh.url);
        assert.equal(codeOf(await gql(s.url, '{ whoami }', {}, { token: before.accessToken })), undefined);
        await gh.gatehouse.services.tokens.rotate();
        const after = await loginUser(gh.url, before.email, before.password);
        assert.notEqual(decodeProtectedHeader(after.accessToken).kid, decodeProtectedHeader(before.accessToken).kid);
        const r = await gql<{ whoami: string }, object>(s.url, '{ whoami }', {}, { token: after.accessToken });
        assert.equal(r.data?.whoami, before.userId);
        assert.equal(codeOf(await gql(s.url, '{ whoami }', {}, { token: before.accessToken })), undefined);
      });

      it('refuses the tokens of a session logged out at Gatehouse', async () => {
        const s = servers[mode]!;
        const u = await registerUser(gh.url);
        assert.equal(codeOf(await gql(s.url, '{ whoami }', {}, { token: u.accessToken })), undefined);
        assert.equal((await gql(gh.url, 'mutation { logout }', {}, { token: u.accessToken })).errors, undefined);
        const refused = () =>
          gql(s.url, '{ whoami }', {}, { token: u.accessToken }).then((r) => codeOf(r) === 'UNAUTHENTICATED');
        assert.ok(await eventually(refused), 'the revocation reached the library');
      });
    });
  }
});
