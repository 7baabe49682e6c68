import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { CommandStartedEvent } from 'mongodb';
import { PermissionHints, PolicyInputError, PolicyStore } from '../../src/authz/index.js';
import { PolicyRevision } from '../../src/authz/revision.js';
import { freshDbName } from '../helpers/gatehouse.js';
import { eventually, type Instance, type InstanceOptions, instance, type ProviderName } from './helpers.js';

const PROPAGATION_MS = 2000;
const sortPerms = (ps: { resource: string; action: string }[]) =>
  [...ps].sort((a, b) => `${a.resource} ${a.action}`.localeCompare(`${b.resource} ${b.action}`));

/**
 * The behaviour every AuthorizationProvider must have, against the real database. Run once per
 * provider; the (resource, action) pairs it checks are announced as hints, which OSO needs and
 * Casbin ignores.
 */
export function providerSuite(provider: ProviderName): void {
  const hints = new PermissionHints();
  hints.add(
    { resource: 'docs', action: 'read' },
    { resource: 'docs', action: 'write' },
    { resource: 'docs/1', action: 'write' },
    { resource: 'docs/1', action: 'read' },
    { resource: 'other/1', action: 'write' },
    { resource: 'reports', action: 'export' },
  );
  const open: Instance[] = [];
  const make = async (o: Omit<InstanceOptions, 'provider'> = {}) => {
    const i = await instance({ provider, hints, ...o });
    open.push(i);
    return i;
  };
  after(async () => {
    await Promise.all(open.map((i) => i.close()));
  });

  describe(`${provider} provider`, () => {
    it('denies everything before start() and while no policy exists', async () => {
      const { authz } = await make({ start: false });
      assert.equal(authz.name, provider);
      assert.equal(authz.ready(), false);
      assert.equal(authz.can('alpha', 'u1', 'docs', 'read'), false);
      assert.deepEqual(authz.rolesFor('alpha', 'u1'), []);
      await authz.start();
      assert.equal(authz.ready(), true);
      assert.equal(authz.revision(), 0);
      assert.equal(authz.can('alpha', 'u1', 'docs', 'read'), false);
      assert.deepEqual(authz.permissionsFor('alpha', 'u1'), []);
    });

    it('allows after grantRole + addPolicy, denies again after revokeRole; writes are idempotent', async () => {
      const { authz } = await make();
      assert.equal(await authz.addPolicy('alpha', 'editor', 'docs', 'read'), true);
      assert.equal(await authz.addPolicy('alpha', 'editor', 'docs', 'read'), false);
      assert.equal(authz.can('alpha', 'u1', 'docs', 'read'), false, 'policy alone grants nobody');
      assert.equal(await authz.grantRole('alpha', 'u1', 'editor'), true);
      assert.equal(await authz.grantRole('alpha', 'u1', 'editor'), false);
      assert.equal(authz.can('alpha', 'u1', 'docs', 'read'), true);
      assert.equal(authz.hasRole('alpha', 'u1', 'editor'), true);
      assert.equal(authz.can('alpha', 'u1', 'docs', 'write'), false);
      assert.equal(authz.can('alpha', 'u2', 'docs', 'read'), false);
      assert.equal(await authz.revokeRole('alpha', 'u1', 'editor'), true);
      assert.equal(await authz.revokeRole('alpha', 'u1', 'editor'), false);
      assert.equal(authz.can('alpha', 'u1', 'docs', 'read'), false);
      assert.equal(authz.hasRole('alpha', 'u1', 'editor'), false);
      await authz.grantRole('alpha', 'u1', 'editor');
      assert.equal(await authz.removePolicy('alpha', 'editor', 'docs', 'read'), true);
      assert.equal(authz.can('alpha', 'u1', 'docs', 'read'), false);
      assert.equal(authz.revision(), 5, 'one revision per effective write');
    });

    it('matches "*" as any action, "*" as any resource and "docs/*" as a prefix', async () => {
      const { authz } = await make();
      await authz.addPolicy('alpha', 'admin', '*', '*');
      await authz.addPolicy('alpha', 'writer', 'docs/*', 'write');
      await authz.addPolicy('alpha', 'reader', 'docs', '*');
      await authz.grantRole('alpha', 'root', 'admin');
      await authz.grantRole('alpha', 'w', 'writer');
      await authz.grantRole('alpha', 'r', 'reader');
      assert.equal(authz.can('alpha', 'root', 'reports', 'export'), true);
      assert.equal(authz.can('alpha', 'root', 'docs/1', 'write'), true);
      assert.equal(authz.can('alpha', 'w', 'docs/1', 'write'), true);
      assert.equal(authz.can('alpha', 'w', 'docs/1', 'read'), false);
      assert.equal(authz.can('alpha', 'w', 'other/1', 'write'), false);
      assert.equal(authz.can('alpha', 'w', 'docs', 'write'), false, 'docs/* does not match docs');
      assert.equal(authz.can('alpha', 'r', 'docs', 'write'), true);
      assert.equal(authz.can('alpha', 'r', 'docs/1', 'read'), false);
    });

    it('follows role-to-role grants (hierarchy)', async () => {
      const { authz } = await make();
      await authz.addPolicy('alpha', 'viewer', 'docs', 'read');
      await authz.addPolicy('alpha', 'editor', 'docs', 'write');
      assert.equal(await authz.addRoleInheritance('alpha', 'editor', 'viewer'), true);
      assert.equal(await authz.addRoleInheritance('alpha', 'admin', 'editor'), true);
      await authz.grantRole('alpha', 'boss', 'admin');
      assert.equal(authz.can('alpha', 'boss', 'docs', 'read'), true);
      assert.equal(authz.can('alpha', 'boss', 'docs', 'write'), true);
      assert.deepEqual(authz.rolesFor('alpha', 'boss').sort(), ['admin', 'editor', 'viewer']);
      assert.equal(authz.hasRole('alpha', 'boss', 'viewer'), true);
      await authz.removeRoleInheritance('alpha', 'editor', 'viewer');
      assert.equal(authz.can('alpha', 'boss', 'docs', 'read'), false);
      assert.equal(authz.can('alpha', 'boss', 'docs', 'write'), true);
    });

    it('lists roles and permissions', async () => {
      const { authz } = await make();
      await authz.addPolicy('alpha', 'editor', 'docs', 'read');
      await authz.addPolicy('alpha', 'editor', 'docs', 'write');
      await authz.addPolicy('alpha', 'auditor', 'reports', 'export');
      await authz.grantRole('alpha', 'u1', 'editor');
      await authz.grantRole('alpha', 'u1', 'auditor');
      await authz.grantRole('alpha', 'u1', 'anonymous');
      assert.deepEqual(authz.rolesFor('alpha', 'u1').sort(), ['anonymous', 'auditor', 'editor']);
      assert.deepEqual(sortPerms(authz.permissionsFor('alpha', 'u1')), [
        { resource: 'docs', action: 'read' },
        { resource: 'docs', action: 'write' },
        { resource: 'reports', action: 'export' },
      ]);
      assert.deepEqual(authz.rolesFor('alpha', 'nobody'), []);
      assert.deepEqual(authz.permissionsFor('alpha', 'nobody'), []);
    });

    it('keeps apps apart: a grant in app A gives nothing in app B', async () => {
      const dbName = freshDbName();
      const a = await make({ dbName, slug: 'alpha' });
      const b = await make({ dbName, slug: 'beta' });
      await a.authz.addPolicy('alpha', 'admin', '*', '*');
      await a.authz.grantRole('alpha', 'u1', 'admin');
      await b.authz.addPolicy('beta', 'admin', 'docs', 'read');
      await b.authz.reload();
      assert.equal(a.authz.can('alpha', 'u1', 'docs', 'read'), true);
      assert.equal(b.authz.can('beta', 'u1', 'docs', 'read'), false, 'same role name, other app');
      assert.equal(b.authz.hasRole('beta', 'u1', 'admin'), false);
      assert.equal(a.authz.can('beta', 'u1', 'docs', 'read'), false, 'a provider answers only for its app');
      assert.deepEqual(a.authz.rolesFor('beta', 'u1'), []);
      await assert.rejects(a.authz.grantRole('beta', 'u1', 'admin'), /cannot write app "beta"/);
    });

    it('applies initial_policies idempotently across starts (also concurrent ones)', async () => {
      const dbName = freshDbName();
      const authorization = {
        initial_policies: [
          ['editor', 'docs', 'read'],
          ['admin', '*', '*'],
        ],
      };
      const first = await make({ dbName, authorization });
      first.authz.stop();
      await Promise.all([make({ dbName, authorization }), make({ dbName, authorization })]);
      const rows = await first.deps.database.db.collection('casbin_policies').find({ ptype: 'p' }).toArray();
      assert.equal(rows.length, 2);
      const fresh = await make({ dbName, authorization });
      await fresh.authz.grantRole('alpha', 'u1', 'editor');
      assert.equal(fresh.authz.can('alpha', 'u1', 'docs', 'read'), true);
    });

    it(`shows a write on instance A on instance B within ${PROPAGATION_MS} ms`, async (t) => {
      const dbName = freshDbName();
      const a = await make({ dbName });
      const b = await make({ dbName });
      await a.authz.addPolicy('alpha', 'editor', 'docs', 'write');
      await a.authz.grantRole('alpha', 'u1', 'editor');
      const granted = await eventually(() => b.authz.can('alpha', 'u1', 'docs', 'write'), PROPAGATION_MS, 'grant on B');
      await a.authz.revokeRole('alpha', 'u1', 'editor');
      const revoked = await eventually(
        () => !b.authz.can('alpha', 'u1', 'docs', 'write'),
        PROPAGATION_MS,
        'revoke on B',
      );
      t.diagnostic(`propagation A→B: grant ${granted} ms, revoke ${revoked} ms (poll 500 ms)`);
      assert.equal(b.authz.revision(), a.authz.revision());
    });

    it('catchUp(t) loads every write made before t at once, and costs nothing once caught up', async () => {
      const dbName = freshDbName();
      const a = await make({ dbName });
      const b = await make({ dbName, pollMs: 60_000 }); // B would not poll again within the test
      await a.authz.grantRole('alpha', 'u9', 'editor');
      const wroteBy = Date.now();
      assert.deepEqual(b.authz.rolesFor('alpha', 'u9'), [], 'B has not polled');
      await b.authz.catchUp(wroteBy);
      assert.deepEqual(b.authz.rolesFor('alpha', 'u9'), ['editor'], 'caught up');
      await a.authz.revokeRole('alpha', 'u9', 'editor');
      await b.authz.catchUp(wroteBy); // already past that time: no read, so the revoke is not seen yet
      assert.deepEqual(b.authz.rolesFor('alpha', 'u9'), ['editor']);
      await b.authz.catchUp(Date.now());
      assert.deepEqual(b.authz.rolesFor('alpha', 'u9'), []);
    });

    it('converges on the last write when both instances grant and revoke concurrently', async () => {
      const dbName = freshDbName();
      const a = await make({ dbName });
      const b = await make({ dbName });
      await a.authz.addPolicy('alpha', 'editor', 'docs', 'read');
      const held = async () =>
        (await a.deps.database.db
          .collection('casbin_policies')
          .countDocuments({ ptype: 'g', v0: 'user:u1', v1: 'editor', v2: 'alpha' })) === 1;
      for (let round = 0; round < 3; round++) {
        await Promise.all([
          a.authz.grantRole('alpha', 'u1', 'editor'),
          b.authz.revokeRole('alpha', 'u1', 'editor'),
          b.authz.grantRole('alpha', 'u1', 'editor'),
          a.authz.revokeRole('alpha', 'u1', 'editor'),
        ]);
        const stored = await held();
        for (const i of [a, b])
          await eventually(() => i.authz.hasRole('alpha', 'u1', 'editor') === stored, PROPAGATION_MS, 'agree with DB');
      }
      await a.authz.grantRole('alpha', 'u1', 'editor');
      await b.authz.revokeRole('alpha', 'u1', 'editor');
      for (const i of [a, b])
        await eventually(() => !i.authz.can('alpha', 'u1', 'docs', 'read'), PROPAGATION_MS, 'last write: revoke');
      await b.authz.grantRole('alpha', 'u1', 'editor');
      for (const i of [a, b])
        await eventually(() => i.authz.can('alpha', 'u1', 'docs', 'read'), PROPAGATION_MS, 'last write: grant');
    });

    it('never denies a standing grant while a new revision is being loaded (the view is swapped whole)', async () => {
      const { authz } = await make();
      await authz.addPolicy('alpha', 'editor', 'docs', 'read');
      await authz.grantRole('alpha', 'u1', 'editor');
      let samples = 0;
      let denied = 0;
      const reloading = Promise.all([authz.reload(), authz.addPolicy('alpha', 'editor', 'docs', 'write')]);
      let done = false;
      void reloading.then(() => {
        done = true;
      });
      while (!done) {
        samples++;
        if (!authz.can('alpha', 'u1', 'docs', 'read')) denied++;
        await new Promise((r) => setImmediate(r));
      }
      await reloading;
      assert.ok(samples > 1, `sampled ${samples} times`);
      assert.equal(denied, 0);
      assert.equal(authz.can('alpha', 'u1', 'docs', 'write'), true);
    });

    it('stores rows in the casbin-mongodb-adapter layout {ptype, v0…}', async () => {
      const { authz, deps } = await make();
      await authz.addPolicy('alpha', 'editor', 'docs', 'read');
      await authz.grantRole('alpha', 'u1', 'editor');
      await authz.addRoleInheritance('alpha', 'admin', 'editor');
      const rows = await deps.database.db
        .collection('casbin_policies')
        .find({}, { projection: { _id: 0 } })
        .toArray();
      assert.deepEqual(
        rows.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
        [
          { ptype: 'g', v0: 'admin', v1: 'editor', v2: 'alpha' },
          { ptype: 'g', v0: 'user:u1', v1: 'editor', v2: 'alpha' },
          { ptype: 'p', v0: 'editor', v1: 'alpha', v2: 'docs', v3: 'read' },
        ],
      );
      const meta = await deps.database.db.collection('meta').findOne({ _id: 'policy:alpha' as never });
      assert.equal(meta?.revision, 3);
      const indexes = await deps.database.db.collection('casbin_policies').indexes();
      assert.ok(indexes.some((ix) => JSON.stringify(ix.key) === '{"ptype":1,"v0":1,"v1":1,"v2":1,"v3":1}'));
    });

    it('counts permissions granted to a user directly (p, user:<id>, …), as Casbin does', async () => {
      const dbName = freshDbName();
      const a = await make({ dbName });
      // Another tool writes the row (roles may not be named user:…, so the API cannot): store + revision.
      const store = PolicyStore.open(a.deps.database.db, 'casbin_policies');
      await store.add('p', [['user:u7', 'alpha', 'reports', 'export']]);
      await new PolicyRevision(a.deps.database.db, 'alpha').bump();
      await eventually(() => a.authz.can('alpha', 'u7', 'reports', 'export'), PROPAGATION_MS, 'direct grant');
      assert.equal(a.authz.can('alpha', 'u8', 'reports', 'export'), false, 'only that user');
      assert.deepEqual(a.authz.permissionsFor('alpha', 'u7'), [{ resource: 'reports', action: 'export' }]);
      // direct grants add to the user's roles' grants, and another user with the same roles is unaffected
      await a.authz.addPolicy('alpha', 'editor', 'docs', 'read');
      await a.authz.grantRole('alpha', 'u7', 'editor');
      await a.authz.grantRole('alpha', 'u8', 'editor');
      assert.equal(a.authz.can('alpha', 'u7', 'docs', 'read'), true);
      assert.equal(a.authz.can('alpha', 'u7', 'reports', 'export'), true);
      assert.equal(a.authz.can('alpha', 'u8', 'reports', 'export'), false);
    });

    it('reloads incrementally: a journaled write costs a look-up of its rules, not a read of the policy', async () => {
      const dbName = freshDbName();
      const a = await make({ dbName });
      await a.authz.addPolicy('alpha', 'editor', 'docs', 'read');
      const b = await make({ dbName, monitorCommands: true });
      const finds: CommandStartedEvent[] = [];
      b.deps.database.client.on('commandStarted', (e: CommandStartedEvent) => {
        if (e.commandName === 'find') finds.push(e);
      });
      const onPolicy = () => finds.filter((e) => e.command.find === 'casbin_policies');
      const fullReads = () => onPolicy().filter((e) => JSON.stringify(e.command.filter).includes('"$in"'));
      await a.authz.grantRole('alpha', 'u1', 'editor');
      await eventually(() => b.authz.can('alpha', 'u1', 'docs', 'read'), PROPAGATION_MS, 'grant on B');
      await a.authz.revokeRole('alpha', 'u1', 'editor');
      await eventually(() => !b.authz.can('alpha', 'u1', 'docs', 'read'), PROPAGATION_MS, 'revoke on B');
      assert.equal(fullReads().length, 0, 'no full read of the policy');
      assert.ok(onPolicy().length >= 2, 'the changed rules were looked up');
      assert.ok(
        finds.some((e) => e.command.find === 'policy_changes'),
        'the journal was read',
      );
      // A write that bypasses the journal (another tool, an older Gatehouse) is still seen: full read.
      await PolicyStore.open(a.deps.database.db, 'casbin_policies').add('g', [['user:u2', 'editor', 'alpha']]);
      await new PolicyRevision(a.deps.database.db, 'alpha').bump();
      await eventually(() => b.authz.can('alpha', 'u2', 'docs', 'read'), PROPAGATION_MS, 'unjournaled grant on B');
      assert.equal(fullReads().length, 1, 'one full read for the unjournaled change');
    });

    it('refuses names it cannot store, before touching the database', async () => {
      const { authz } = await make();
      await assert.rejects(authz.grantRole('alpha', 'u1', ''), PolicyInputError);
      await assert.rejects(authz.grantRole('alpha', 'u1', 'user:u2'), PolicyInputError);
      await assert.rejects(authz.addPolicy('alpha', 'editor', 'docs\n', 'read'), PolicyInputError);
      assert.equal(authz.revision(), 0);
    });
  });
}
