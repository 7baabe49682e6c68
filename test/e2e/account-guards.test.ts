/**
 * Issue 14, items 6, 7 and 9, over HTTP against a real Gatehouse: `initial_roles` never go to a
 * self-registered account, shared demo accounts keep the manifest's password, and `_entities`
 * resolves a bounded number of representations per request.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/paths.js';
import { freshDbName, startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { testManifest } from '../helpers/manifest.js';
import { loginUser, registerUser, strongPassword } from '../helpers/users.js';

const DEMO = { email: 'demo.shared@example.test', password: 'Shared-Demo-Passphrase-2024' };
const BOSS = 'boss@example.test';

const manifest = testManifest({
  users: { allow_registration: true, demo_users: [{ ...DEMO, roles: ['admin'] }] },
  policy: { authorization: { initial_roles: [{ user: BOSS, role: 'admin' }] } },
});

const rolesOf = async (url: string, token: string) =>
  (await gql<{ me: { roles: string[] } }, object>(url, '{ me { roles } }', {}, { token })).data?.me.roles;

describe('account guards', () => {
  let gh: TestInstance;
  const dbName = freshDbName();
  before(async () => {
    gh = await startGatehouse({ dbName, manifest });
  });
  after(() => gh.close());

  it('a demo user cannot change the shared password; the manifest password keeps working', async () => {
    const demo = await loginUser(gh.url, DEMO.email, DEMO.password);
    const r = await gql(
      gh.url,
      'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }',
      { c: DEMO.password, n: strongPassword() },
      { token: demo.accessToken },
    );
    assert.equal(codeOf(r), 'FORBIDDEN');
    assert.equal(r.errors?.[0]?.extensions?.reason, 'demo-user');
    const again = await loginUser(gh.url, DEMO.email, DEMO.password);
    assert.ok(await rolesOf(gh.url, again.accessToken), 'the demo session still works');
    assert.ok(await rolesOf(gh.url, demo.accessToken), 'no session was revoked by the refused change');
  });

  it('initial_roles do not go to whoever self-registers the address; they apply to accounts existing at start-up', async () => {
    const squatter = await registerUser(gh.url, { email: BOSS });
    assert.deepEqual(await rolesOf(gh.url, squatter.accessToken), ['user']);
    // The documented rule: start-up applies them to the account that holds the address then
    // (the operator is warned by `validate` and at start-up when registration is open).
    const restarted = await startGatehouse({ dbName, manifest });
    try {
      const again = await loginUser(restarted.url, BOSS, squatter.password);
      assert.deepEqual((await rolesOf(restarted.url, again.accessToken))?.sort(), ['admin', 'user']);
    } finally {
      await restarted.close();
    }
  });

  it('`validate` warns when open registration and initial_roles meet, and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gh-warn-'));
    try {
      const file = join(dir, 'manifest.json');
      await writeFile(file, JSON.stringify(manifest));
      const { stdout, stderr } = await promisify(execFile)(join(projectRoot(), 'bin', 'gatehouse'), ['validate', file]);
      assert.match(stdout, /valid/);
      assert.match(stderr, /^warning: auth\.policy\.authorization\.initial_roles: open registration/m);
      const m = manifest as { auth: Record<string, unknown> };
      const closed = { ...m, auth: { ...m.auth, users: {} } };
      await writeFile(file, JSON.stringify(closed));
      assert.equal((await promisify(execFile)(join(projectRoot(), 'bin', 'gatehouse'), ['validate', file])).stderr, '');
      // A demo user's address is taken at start-up: naming it in initial_roles is no risk, and not warned about.
      const users = m.auth.users as Record<string, unknown>;
      const demoOnly = {
        ...m,
        auth: { ...m.auth, policy: { authorization: { initial_roles: [{ user: DEMO.email, role: 'admin' }] } }, users },
      };
      await writeFile(file, JSON.stringify(demoOnly));
      assert.equal((await promisify(execFile)(join(projectRoot(), 'bin', 'gatehouse'), ['validate', file])).stderr, '');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('_entities: at most 100 representations per request, across aliases and batched operations', async () => {
    const u = await registerUser(gh.url);
    const reps = (n: number) => Array.from({ length: n }, () => ({ __typename: 'User', id: u.userId }));
    const one = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }';
    const ok = await gql<{ _entities: unknown[] }, object>(gh.url, one, { r: reps(100) }, { token: u.accessToken });
    assert.equal(ok.errors, undefined);
    assert.equal(ok.data?._entities.length, 100);

    const over = await gql(gh.url, one, { r: reps(101) }, { token: u.accessToken });
    assert.equal(codeOf(over), 'BAD_USER_INPUT');
    assert.equal(over.errors?.[0]?.extensions?.field, 'representations');

    const aliased =
      'query($r: [_Any!]!) { a: _entities(representations: $r) { __typename } b: _entities(representations: $r) { __typename } }';
    assert.equal(codeOf(await gql(gh.url, aliased, { r: reps(60) }, { token: u.accessToken })), 'BAD_USER_INPUT');

    const res = await fetch(gh.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${u.accessToken}` },
      body: JSON.stringify([
        { query: one, variables: { r: reps(60) } },
        { query: one, variables: { r: reps(60) } },
      ]),
    });
    const batch = (await res.json()) as { errors?: { extensions: { code: string } }[] }[];
    assert.equal(batch[0]?.errors, undefined);
    assert.equal(batch[1]?.errors?.[0]?.extensions.code, 'BAD_USER_INPUT', 'the budget is per HTTP request');
  });
});
