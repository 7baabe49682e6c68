import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AddPolicyDocument,
  CanDocument,
  GrantRoleDocument,
  PermissionsDocument,
  RemovePolicyDocument,
  RevokeRoleDocument,
  UserByIdDocument,
} from '../generated/graphql.js';
import { freshDbName, inProcess, startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { testManifest } from '../helpers/manifest.js';
import { loginUser, registerUser } from '../helpers/users.js';

const ADMIN = { email: 'root@example.test', password: 'Root-Passphrase-Harbor-2024' };

/** Repeats `probe` until it returns `want`; resolves with the time it took. */
async function eventually<T>(probe: () => Promise<T>, want: T, ms = 2000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if ((await probe()) === want) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`not ${String(want)} within ${ms} ms`);
    await sleep(25);
  }
}

describe('authorization through GraphQL, across two instances', () => {
  let a: TestInstance;
  let b: TestInstance;
  let admin: Awaited<ReturnType<typeof loginUser>>;
  const manifest = testManifest({
    users: { allow_registration: true, demo_users: [{ ...ADMIN, roles: ['admin'] }] },
    policy: { authorization: { initial_policies: [['admin', '*', '*']] } },
  });
  before(async () => {
    const dbName = freshDbName();
    a = await startGatehouse({ dbName, manifest });
    b = await startGatehouse({ dbName, manifest });
    admin = await loginUser(a.url, ADMIN.email, ADMIN.password);
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  it('@permission: FORBIDDEN without policy (resolver never runs), allowed after grantRole, refused after revokeRole — on B within 2 s', async () => {
    const u = await registerUser(a.url);
    // In process, a spy counts the resolver's reads of the admin (against workers, the answer alone).
    let calls = 0;
    const spied = [a, b].map(inProcess);
    for (const gatehouse of spied) {
      if (!gatehouse) continue;
      const identity = gatehouse.services.identity;
      const original = identity.findById.bind(identity);
      identity.findById = (app, id) => {
        if (id === admin.userId) calls++;
        return original(app, id);
      };
    }
    const readAdmin = (inst: TestInstance) =>
      gql(inst.url, UserByIdDocument, { id: admin.userId }, { token: u.accessToken });
    const denied = await readAdmin(b);
    assert.equal(codeOf(denied), 'FORBIDDEN');
    assert.equal(denied.data ?? null, null);
    if (spied.every(Boolean)) assert.equal(calls, 0, 'the resolver of a refused field must not run');

    assert.equal(
      (
        await gql(
          a.url,
          AddPolicyDocument,
          { role: 'auditor', resource: 'users', action: 'read' },
          { token: admin.accessToken },
        )
      ).data?.addPolicy,
      true,
    );
    const grant = await gql(
      a.url,
      GrantRoleDocument,
      { userId: u.userId, role: 'auditor' },
      { token: admin.accessToken },
    );
    assert.equal(grant.data?.grantRole, true, JSON.stringify(grant.errors));
    const lagGrant = await eventually(async () => (await readAdmin(b)).data?.user?.email ?? null, ADMIN.email);
    if (spied.every(Boolean)) assert.ok(calls >= 1);

    const revoke = await gql(
      a.url,
      RevokeRoleDocument,
      { userId: u.userId, role: 'auditor' },
      { token: admin.accessToken },
    );
    assert.equal(revoke.data?.revokeRole, true);
    const lagRevoke = await eventually(async () => codeOf(await readAdmin(b)), 'FORBIDDEN');
    process.stdout.write(`# policy propagation A→B: grant ${lagGrant} ms, revoke ${lagRevoke} ms\n`);
  });

  it('the same token keeps its claims while authorization follows live policy (can / permissions)', async () => {
    const u = await registerUser(a.url);
    const can = (inst: TestInstance) =>
      gql(inst.url, CanDocument, { resource: 'reports', action: 'export' }, { token: u.accessToken }).then(
        (r) => r.data?.can,
      );
    assert.equal(await can(b), false);
    await gql(
      a.url,
      AddPolicyDocument,
      { role: 'user', resource: 'reports', action: 'export' },
      { token: admin.accessToken },
    );
    await eventually(() => can(b), true);
    // Within the propagation bound, not at once: B may be several processes (serve --workers),
    // each polling on its own.
    const exports = async () =>
      (await gql(b.url, PermissionsDocument, {}, { token: u.accessToken })).data?.permissions.some(
        (p) => p.resource === 'reports' && p.action === 'export',
      );
    await eventually(exports, true);
    await gql(
      a.url,
      RemovePolicyDocument,
      { role: 'user', resource: 'reports', action: 'export' },
      { token: admin.accessToken },
    );
    await eventually(() => can(b), false);
  });

  it('role and policy administration needs its own permission', async () => {
    const u = await registerUser(a.url);
    assert.equal(
      codeOf(await gql(a.url, GrantRoleDocument, { userId: u.userId, role: 'admin' }, { token: u.accessToken })),
      'FORBIDDEN',
    );
    assert.equal(
      codeOf(
        await gql(a.url, AddPolicyDocument, { role: 'user', resource: '*', action: '*' }, { token: u.accessToken }),
      ),
      'FORBIDDEN',
    );
    assert.equal(codeOf(await gql(a.url, GrantRoleDocument, { userId: u.userId, role: 'admin' })), 'UNAUTHENTICATED');
    const bad = await gql(
      a.url,
      GrantRoleDocument,
      { userId: u.userId, role: 'bad role!' },
      { token: admin.accessToken },
    );
    assert.equal(codeOf(bad), 'BAD_USER_INPUT');
    assert.equal(bad.errors?.[0]?.extensions?.field, 'role');
    const nobody = await gql(
      a.url,
      GrantRoleDocument,
      { userId: 'no-such-user', role: 'x' },
      { token: admin.accessToken },
    );
    assert.equal(nobody.errors?.[0]?.extensions?.field, 'userId');
  });
});

describe('tenancy', () => {
  let gh: TestInstance;
  before(async () => {
    gh = await startGatehouse({
      manifest: {
        apps: [
          {
            slug: 'alpha',
            auth: {
              users: { allow_registration: true },
              policy: { authorization: { initial_policies: [['user', 'users', 'read']] } },
            },
          },
          { slug: 'beta', auth: { users: { allow_registration: true } } },
        ],
      },
    });
  });
  after(() => gh.close());

  it('a token of app A can do nothing in app B', async () => {
    const u = await registerUser(gh.url, { headers: { 'x-gatehouse-app': 'alpha' } });
    const inAlpha = await gql(
      gh.url,
      UserByIdDocument,
      { id: u.userId },
      { token: u.accessToken, headers: { 'x-gatehouse-app': 'alpha' } },
    );
    assert.equal(inAlpha.data?.user?.id, u.userId, JSON.stringify(inAlpha.errors));
    const inBeta = await gql(
      gh.url,
      UserByIdDocument,
      { id: u.userId },
      { token: u.accessToken, headers: { 'x-gatehouse-app': 'beta' } },
    );
    assert.equal(codeOf(inBeta), 'UNAUTHENTICATED');
  });
});
