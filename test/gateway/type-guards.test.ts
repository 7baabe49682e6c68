/**
 * Issue 14, items 4 and 8, against a real Gatehouse and a real downstream service: a guard on a
 * type guards every field that leads to it (`{ field { __typename } }` runs nothing), downstream
 * fields serve only the apps they name, and `@auth(allowAnonymous: false)` keeps anonymous users out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { loginUser, registerUser } from '../helpers/users.js';
import { startVaultService, type VaultService } from './support/vault-service.js';

const ADMIN = { email: 'vault.admin@example.test', password: 'Vault-Keeper-Passphrase-2024' };

describe('type-level guards and per-app downstream services', () => {
  let vault: VaultService;
  let gh: TestInstance;
  let adminToken: string;
  let userToken: string;
  let anonToken: string;
  let otherToken: string;

  before(async () => {
    vault = await startVaultService();
    gh = await startGatehouse({
      manifest: {
        apps: [
          {
            slug: 'test',
            auth: {
              users: { allow_registration: true, demo_users: [{ ...ADMIN, roles: ['admin'] }] },
              policy: { allow_anonymous: true, authorization: { initial_policies: [['admin', 'vault', 'read']] } },
            },
          },
          { slug: 'other', auth: { users: { allow_registration: true } } },
        ],
        downstream: [{ name: vault.name, url: vault.url, apps: ['test'] }],
      },
    });
    adminToken = (await loginUser(gh.url, ADMIN.email, ADMIN.password)).accessToken;
    userToken = (await registerUser(gh.url)).accessToken;
    otherToken = (await registerUser(gh.url, { headers: { 'x-gatehouse-app': 'other' } })).accessToken;
    const anon = await gql<{ loginAnonymous: { accessToken: string } }, object>(
      gh.url,
      'mutation { loginAnonymous(deviceId: "vault-device-1") { accessToken } }',
    );
    assert.ok(anon.data?.loginAnonymous.accessToken, JSON.stringify(anon.errors));
    anonToken = anon.data.loginAnonymous.accessToken;
  });
  after(async () => {
    await gh?.close();
    await vault?.close();
  });

  const calls = () => Object.values(vault.calls).reduce((a, b) => a + b, 0);

  /** Sends `query` and asserts the expected code; when refused, asserts the downstream ran nothing. */
  async function expect(query: string, token: string | undefined, want: string | undefined) {
    const before = calls();
    const r = await gql(gh.url, query, {}, token ? { token } : {});
    assert.equal(codeOf(r), want, `${query} → ${JSON.stringify(r.errors ?? r.data)}`);
    if (want) assert.equal(calls(), before, `${query}: the downstream was called although refused`);
    else assert.ok(calls() > before, `${query}: the downstream was not called`);
  }

  it('a field returning a guarded type is guarded, however little is selected', async () => {
    const shapes = [
      'mutation { wipeAll { __typename } }',
      'mutation { w: wipeAll { __typename } }',
      'mutation { ...W } fragment W on Mutation { wipeAll { __typename } }',
      'mutation { ... on Mutation { wipeAll { __typename } } }',
    ];
    for (const q of shapes) {
      await expect(q, undefined, 'UNAUTHENTICATED');
      await expect(q, userToken, 'FORBIDDEN');
      await expect(q, anonToken, 'FORBIDDEN');
    }
    await expect('mutation { wipeAll { __typename } }', adminToken, undefined);
  });

  it('a type-level @permission guards the fields that return it, and unions with it as a member', async () => {
    for (const q of [
      '{ secret { __typename } }',
      '{ anything { __typename } }',
      '{ anything { ... on Open { id } } }',
    ]) {
      await expect(q, undefined, 'UNAUTHENTICATED');
      await expect(q, userToken, 'FORBIDDEN');
      await expect(q, adminToken, undefined);
    }
  });

  it('an interface with a guarded implementation needs what that implementation needs', async () => {
    await expect('{ thing { __typename } }', undefined, 'UNAUTHENTICATED');
    await expect('{ thing { id } }', userToken, undefined);
  });

  it('batched operations are checked one by one', async () => {
    const before = calls();
    const res = await fetch(gh.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ vaultInfo }' }, { query: '{ secret { __typename } }' }]),
    });
    const body = (await res.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] }[];
    assert.equal(body[0]?.errors, undefined);
    assert.equal(body[1]?.errors?.[0]?.extensions.code, 'UNAUTHENTICATED');
    assert.equal(calls(), before + 1, 'only the public operation reached the service');
  });

  it('@auth(allowAnonymous: false) refuses anonymous users; plain @auth still lets them in', async () => {
    await expect('{ members }', anonToken, 'FORBIDDEN');
    await expect('{ members }', undefined, 'UNAUTHENTICATED');
    await expect('{ members }', userToken, undefined);
    await expect('{ lobby }', anonToken, undefined);
  });

  it('a downstream that names its apps is refused to every other app, public fields included', async () => {
    const other = { 'x-gatehouse-app': 'other' };
    for (const [q, token] of [
      ['{ vaultInfo }', undefined],
      ['{ lobby }', otherToken],
      ['{ thing { id } }', otherToken],
      ['mutation { wipeAll { __typename } }', otherToken],
    ] as const) {
      const before = calls();
      const r = await gql(gh.url, q, {}, { headers: other, ...(token ? { token } : {}) });
      assert.equal(codeOf(r), 'FORBIDDEN', `${q}: ${JSON.stringify(r.errors ?? r.data)}`);
      assert.equal(calls(), before, `${q} reached the service`);
    }
    // the other app's token on the serving app is refused as before (tokens are bound to their app)
    await expect('{ lobby }', otherToken, 'UNAUTHENTICATED');
    // Gatehouse's own fields still serve the other app
    const own = await gql<{ me: { id: string } }, object>(
      gh.url,
      '{ me { id } }',
      {},
      { headers: other, token: otherToken },
    );
    assert.ok(own.data?.me?.id, JSON.stringify(own.errors));
    await expect('{ vaultInfo }', undefined, undefined);
  });
});
