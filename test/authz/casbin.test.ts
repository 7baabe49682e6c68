import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newEnforcer, newModelFromString } from 'casbin';
import fc from 'fast-check';
import { MongoAdapter } from '../../src/authz/casbin/adapter.js';
import { RBAC_MODEL } from '../../src/authz/casbin/model.js';
import { casbinEvaluator } from '../../src/authz/casbin/provider.js';
import { createAuthorization, PermissionHints, PolicyStore } from '../../src/authz/index.js';
import { connectDatabase } from '../../src/db/index.js';
import { coreDeps } from '../helpers/deps.js';
import { startOwnFerretDB } from '../helpers/own-db.js';
import { eventually, instance } from './helpers.js';
import { providerSuite } from './provider-suite.js';

providerSuite('casbin');

describe('casbin: the memo answers exactly what the enforcer answers', () => {
  const users = ['u0', 'u1', 'u2'];
  const roles = ['r0', 'r1', 'r2', 'r3'];
  const patterns = ['a', 'a/b', 'a/*', 'a*', '*', '*b', 'ab', 'a/'];
  const resources = [...patterns, '', 'a/b/c', 'b', 'abc'];
  const actions = ['read', 'write', '*'];
  const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
  const subject = fc.oneof(
    pick(roles),
    pick(users).map((u) => `user:${u}`),
  );
  const policy = fc.tuple(subject, pick(['alpha', 'alpha', 'beta']), pick(patterns), pick(actions));
  const grouping = fc.tuple(subject, pick(roles), pick(['alpha', 'alpha', 'beta']));
  const dedupe = (rules: string[][]) => [...new Map(rules.map((r) => [r.join('|'), r])).values()];

  it('agrees with enforceSync on random policies, hierarchies (cycles included) and domains', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(policy, { maxLength: 12 }), fc.array(grouping, { maxLength: 10 }), async (p, g) => {
        const e = await newEnforcer(newModelFromString(RBAC_MODEL));
        if (p.length) await e.addPolicies(dedupe(p));
        if (g.length) await e.addGroupingPolicies(dedupe(g));
        const ev = casbinEvaluator(e, 'alpha', true);
        for (const u of users) {
          const facts = ev.factsFor(u);
          assert.deepEqual(
            [...facts.roles].sort(),
            (await e.getImplicitRolesForUser(`user:${u}`, 'alpha')).sort(),
            `roles of ${u}`,
          );
          for (const r of resources)
            for (const a of actions)
              assert.equal(ev.decide(facts, r, a), e.enforceSync(`user:${u}`, 'alpha', r, a), `${u} ${r} ${a}`);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('follows a role chain exactly as deep as the enforcer does', async () => {
    const e = await newEnforcer(newModelFromString(RBAC_MODEL));
    await e.addGroupingPolicy('user:u', 'c0', 'alpha');
    for (let i = 0; i < 14; i++) await e.addGroupingPolicy(`c${i}`, `c${i + 1}`, 'alpha');
    for (let i = 0; i <= 14; i++) await e.addPolicy(`c${i}`, 'alpha', `res${i}`, 'read');
    const ev = casbinEvaluator(e, 'alpha', true);
    const facts = ev.factsFor('u');
    for (let i = 0; i <= 14; i++)
      assert.equal(
        ev.decide(facts, `res${i}`, 'read'),
        e.enforceSync('user:u', 'alpha', `res${i}`, 'read'),
        `depth ${i}`,
      );
  });
});

describe('casbin: MongoAdapter through a real enforcer', () => {
  it('writes through add/batch/update/removeFiltered, loads by app, saves insert-then-delete', async () => {
    const deps = await coreDeps();
    try {
      const store = PolicyStore.open(deps.database.db, 'casbin_policies');
      const rows = async () =>
        (await store.load()).map(([ptype, rule]) => [ptype, ...rule].join(', ')).sort((x, y) => x.localeCompare(y));
      const e = await newEnforcer(newModelFromString(RBAC_MODEL), new MongoAdapter(store));
      await e.addPolicy('editor', 'alpha', 'docs', 'read');
      await e.addPolicies([
        ['viewer', 'alpha', 'docs', 'read'],
        ['viewer', 'beta', 'docs', 'read'],
      ]);
      await e.addGroupingPolicy('user:u1', 'editor', 'alpha');
      await e.updatePolicy(['editor', 'alpha', 'docs', 'read'], ['editor', 'alpha', 'docs', 'write']);
      await e.removeFilteredPolicy(0, 'viewer', 'beta');
      assert.deepEqual(await rows(), [
        'g, user:u1, editor, alpha',
        'p, editor, alpha, docs, write',
        'p, viewer, alpha, docs, read',
      ]);
      // The adapter's writes are idempotent: a second insert of a stored rule adds no row.
      await new MongoAdapter(store).addPolicies('p', 'p', [['viewer', 'alpha', 'docs', 'read']]);
      assert.equal((await rows()).length, 3);

      const filtered = await newEnforcer(newModelFromString(RBAC_MODEL));
      filtered.setAdapter(new MongoAdapter(store));
      await e.addPolicy('viewer', 'beta', 'docs', 'read');
      await filtered.loadFilteredPolicy({ app: 'beta' });
      assert.deepEqual(await filtered.getPolicy(), [['viewer', 'beta', 'docs', 'read']]);
      assert.equal(filtered.isFiltered(), true);
      await assert.rejects(filtered.savePolicy());

      e.enableAutoSave(false);
      await e.removePolicy('viewer', 'alpha', 'docs', 'read');
      await e.addPolicy('auditor', 'alpha', 'audit', 'read');
      assert.equal(await e.savePolicy(), true);
      assert.deepEqual(await rows(), [
        'g, user:u1, editor, alpha',
        'p, auditor, alpha, audit, read',
        'p, editor, alpha, docs, write',
        'p, viewer, beta, docs, read',
      ]);
    } finally {
      await deps.close();
    }
  });
});

describe('casbin: a custom model file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-model-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is read from policy.authorization.model and decides checks (exact objects here, no keyMatch)', async () => {
    const path = join(dir, 'exact.conf');
    await writeFile(path, RBAC_MODEL.replace('keyMatch(r.obj, p.obj)', 'r.obj == p.obj'));
    const i = await instance({ provider: 'casbin', authorization: { model: path } });
    try {
      await i.authz.addPolicy('alpha', 'editor', 'docs/*', 'read');
      await i.authz.grantRole('alpha', 'u1', 'editor');
      assert.equal(i.authz.can('alpha', 'u1', 'docs/*', 'read'), true);
      assert.equal(i.authz.can('alpha', 'u1', 'docs/1', 'read'), false, 'the built-in model would allow this');
    } finally {
      await i.close();
    }
  });

  it('refuses to start with a model that changes the row layout, or a missing file', async () => {
    const path = join(dir, 'flat.conf');
    await writeFile(
      path,
      RBAC_MODEL.replace('r = sub, dom, obj, act', 'r = sub, obj, act')
        .replace('p = sub, dom, obj, act', 'p = sub, obj, act')
        .replace('g = _, _, _', 'g = _, _')
        .replace(/m = .*/, 'm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act'),
    );
    for (const model of [path, join(dir, 'missing.conf')]) {
      const i = await instance({ provider: 'casbin', authorization: { model }, start: false });
      try {
        await assert.rejects(i.authz.start(), /custom policy model|neither/);
        assert.equal(i.authz.can('alpha', 'u1', 'docs', 'read'), false);
      } finally {
        await i.close();
      }
    }
  });
});

describe('casbin: change detection', () => {
  it('reloads when the counter steps back to a loaded value (FerretDB loses concurrent $inc) with a new stamp', async () => {
    const i = await instance({ provider: 'casbin', pollMs: 100 });
    try {
      await i.authz.addPolicy('alpha', 'editor', 'docs', 'read');
      const db = i.deps.database.db;
      const before = await db.collection('meta').findOne({ _id: 'policy:alpha' as never });
      assert.equal(before?.revision, i.authz.revision());
      // Another writer's row plus a counter that lost increments: same number, fresh stamp.
      await PolicyStore.open(db, 'casbin_policies').add('g', [['user:u1', 'editor', 'alpha']]);
      await db
        .collection('meta')
        .updateOne({ _id: 'policy:alpha' as never }, { $set: { revision: before?.revision, stamp: 'another-write' } });
      await eventually(() => i.authz.can('alpha', 'u1', 'docs', 'read'), 2000, 'reload on a new stamp');
    } finally {
      await i.close();
    }
  });
});

describe('casbin: the database goes away', () => {
  it('keeps answering from the last loaded policy, then picks up writes once it is back', async () => {
    const db = await startOwnFerretDB();
    const base = await coreDeps();
    const database = await connectDatabase(db.uri, 'authz_fault');
    const deps = { ...base, database };
    const authz = createAuthorization(deps, base.manifest.apps[0]!, { pollMs: 100, hints: new PermissionHints() });
    try {
      await authz.start();
      await authz.addPolicy('test', 'editor', 'docs', 'read');
      await authz.grantRole('test', 'u1', 'editor');
      await db.stop();
      await eventually(() => deps.metrics.calls.some((c) => c.startsWith('databaseError')), 6000, 'a failed poll');
      assert.equal(authz.can('test', 'u1', 'docs', 'read'), true, 'last loaded policy stays');
      assert.equal(authz.ready(), true);
      await db.start();
      await authz.revokeRole('test', 'u1', 'editor');
      assert.equal(authz.can('test', 'u1', 'docs', 'read'), false);
    } finally {
      authz.stop();
      await database.close();
      await base.close();
      await db.dispose();
    }
  });
});
