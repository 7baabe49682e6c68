import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { refusedByServer } from '../../src/audit/audit-log.js';
import { AUDIT_COLLECTION, type AuditType, type AuditWriter, createAuditLog } from '../../src/audit/index.js';
import { createMetrics, type Metrics } from '../../src/observability/index.js';
import { coreDeps, type TestDeps } from '../helpers/deps.js';
import { testManifest } from '../helpers/manifest.js';

const DAY_MS = 24 * 3600 * 1000;
const TYPES: AuditType[] = ['login', 'refresh', 'logout', 'role_granted'];

async function waitFor(cond: () => Promise<boolean>, withinMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > withinMs) throw new Error(`${what}: not within ${withinMs} ms`);
    await sleep(20);
  }
}

/** Real deps over a fresh database, with real metrics (the counting stub has no Prometheus text). */
async function auditDeps(): Promise<TestDeps & { metrics: Metrics }> {
  const deps = await coreDeps({ manifest: testManifest({ audit: { retention_days: 7 } }) });
  return Object.assign(deps, { metrics: createMetrics({ collectDefault: false }) }) as TestDeps & { metrics: Metrics };
}

describe('audit log', () => {
  let deps: Awaited<ReturnType<typeof auditDeps>>;
  let audit: AuditWriter;
  let started: number;

  before(async () => {
    deps = await auditDeps();
    audit = createAuditLog(deps, deps.settings.audit, { flushMs: 50 });
    await audit.start();
    started = deps.clock.ms();
  });
  after(async () => {
    await audit.stop();
    await deps.close();
  });

  it('records 1,000 events without waiting, then writes them all', async (t) => {
    // timed in chunks of 100: the median chunk is robust to a GC pause or a busy neighbour
    const chunkUs: number[] = [];
    for (let chunk = 0; chunk < 10; chunk++) {
      const t0 = performance.now();
      for (let j = 0; j < 100; j++) {
        const i = chunk * 100 + j;
        deps.clock.advance(1); // distinct times, so "newest first" is checkable
        audit.record({
          app: 'test',
          type: TYPES[i % TYPES.length]!,
          outcome: i % 7 === 0 ? 'failure' : 'success',
          userId: `u${i % 10}`,
          sessionId: `s${i}`,
          ip: '198.51.100.7',
          userAgent: 'node-test',
          details: { seq: i },
        });
      }
      chunkUs.push(((performance.now() - t0) * 1000) / 100);
    }
    const sorted = [...chunkUs].sort((a, b) => a - b);
    const median = sorted[5]!;
    const mean = chunkUs.reduce((a, b) => a + b) / chunkUs.length;
    t.diagnostic(`record(): median ${median.toFixed(2)} µs, mean ${mean.toFixed(2)} µs per call (1,000 calls, cold)`);
    assert.ok(median < 100, `record() took ${median} µs per call`);
    await audit.flush();
    assert.equal(audit.pending(), 0);
    assert.equal(await deps.database.db.collection(AUDIT_COLLECTION).countDocuments({ app: 'test' }), 1000);
    assert.equal(audit.dropped(), 0);
  });

  it('queries by user and type, newest first, mapped to AuditEvent', async () => {
    const byUser = await audit.query('test', { first: 500, userId: 'u3' });
    assert.equal(byUser.length, 100);
    assert.ok(byUser.every((e) => e.userId === 'u3' && e.app === 'test'));
    for (let i = 1; i < byUser.length; i++) assert.ok(byUser[i - 1]!.at > byUser[i]!.at, 'newest first');
    assert.equal(byUser[0]!.details?.seq, 993, 'the last u3 event comes first');
    assert.match(byUser[0]!.id, /^[0-9a-f]{24}$/);
    assert.equal(byUser[0]!.sessionId, 's993');
    assert.equal(byUser[0]!.ip, '198.51.100.7');
    assert.equal(byUser[0]!.userAgent, 'node-test');

    const byType = await audit.query('test', { first: 500, type: 'logout' });
    assert.equal(byType.length, 250);
    assert.ok(byType.every((e) => e.type === 'logout'));

    const both = await audit.query('test', { first: 500, userId: 'u2', type: 'logout' });
    assert.equal(both.length, 50);
    assert.ok(both.every((e) => e.type === 'logout' && e.userId === 'u2'));

    assert.deepEqual(await audit.query('other-app', { first: 500 }), [], 'events stay with their app');
  });

  it('clamps first to 1..500', async () => {
    assert.equal((await audit.query('test', { first: 10_000 })).length, 500);
    assert.equal((await audit.query('test', { first: 0 })).length, 1);
    assert.equal((await audit.query('test', { first: -5 })).length, 1);
    assert.equal((await audit.query('test', { first: 3 })).length, 3);
  });

  it('sets expiresAt from the app retention, and hides expired events at read time', async () => {
    const raw = await deps.database.db.collection(AUDIT_COLLECTION).findOne({ app: 'test' });
    assert.ok(raw);
    assert.equal(raw.expiresAt.getTime() - raw.at.getTime(), 7 * DAY_MS);
    assert.ok(raw.at.getTime() >= started);
    const indexes = (await deps.database.db.collection(AUDIT_COLLECTION).indexes()).map((i) => i.key);
    assert.ok(indexes.some((k) => Object.keys(k).join() === 'app,at,_id'));
    assert.ok(indexes.some((k) => Object.keys(k).join() === 'app,userId,at,_id'));
    assert.ok(indexes.some((k) => Object.keys(k).join() === 'expiresAt'));

    deps.clock.advance(8 * DAY_MS);
    try {
      assert.deepEqual(await audit.query('test', { first: 10 }), []);
    } finally {
      deps.clock.advance(-8 * DAY_MS);
    }
  });

  it('keeps details small and free of secrets', async () => {
    audit.record({
      app: 'test',
      type: 'role_granted',
      outcome: 'success',
      userId: 'admin-1',
      details: {
        role: 'editor',
        long: 'x'.repeat(500),
        password: 'hunter2',
        refreshToken: 'abc',
        note: 'Bearer abc.def',
        nested: { a: 1 } as never,
        nan: Number.NaN,
        $where: 'x',
      },
    });
    await audit.flush();
    const [event] = await audit.query('test', { first: 1, userId: 'admin-1' });
    assert.deepEqual(event!.details, {
      role: 'editor',
      long: 'x'.repeat(200),
      password: '[redacted]',
      refreshToken: '[redacted]',
      note: '[redacted]',
    });
  });

  it('stop() writes what is queued', async () => {
    const local = createAuditLog(deps, deps.settings.audit, { flushMs: 60_000 });
    await local.start();
    for (let i = 0; i < 3; i++) local.record({ app: 'test', type: 'logout', outcome: 'success', userId: 'stopper' });
    assert.equal(local.pending(), 3);
    await local.stop();
    assert.equal((await audit.query('test', { first: 10, userId: 'stopper' })).length, 3);
  });

  it('treats duplicates of a retried batch as written, and an unknown failure as retryable', async () => {
    const coll = deps.database.db.collection<{ _id: string }>('audit_retry_probe');
    await coll.insertMany([{ _id: 'a' }]);
    const err = await coll.insertMany([{ _id: 'a' }, { _id: 'b' }], { ordered: false }).catch((e: unknown) => e);
    assert.equal(refusedByServer(err), 0, 'the duplicate was already written: nothing refused');
    assert.equal(await coll.countDocuments({}), 2, 'the rest of the batch went in');
    assert.equal(refusedByServer(new Error('connection reset')), undefined);
  });

  it('writes as soon as a batch is full, without waiting for the interval', async () => {
    const local = createAuditLog(deps, deps.settings.audit, { flushMs: 60_000, batchSize: 50 });
    await local.start();
    try {
      for (let i = 0; i < 50; i++) local.record({ app: 'test', type: 'login', outcome: 'success', userId: 'batcher' });
      await waitFor(async () => local.pending() === 0, 5000, 'batch written');
      assert.equal((await audit.query('test', { first: 100, userId: 'batcher' })).length, 50);
    } finally {
      await local.stop();
    }
  });
});

describe('audit queue overflow', () => {
  let deps: Awaited<ReturnType<typeof auditDeps>>;
  before(async () => {
    deps = await auditDeps();
  });
  after(() => deps.close());

  it('drops and counts events past the bound, and loses none below it', async () => {
    const audit = createAuditLog(deps, deps.settings.audit, { maxQueue: 10 });
    for (let i = 0; i < 15; i++) {
      deps.clock.advance(1);
      audit.record({ app: 'test', type: 'login', outcome: 'failure', userId: 'flood', details: { seq: i } });
    }
    assert.equal(audit.dropped(), 5);
    assert.equal(audit.pending(), 10);
    const text = await deps.metrics.registry.metrics();
    assert.match(text, /^gatehouse_audit_dropped_total 5$/m);

    await audit.start();
    await audit.stop();
    const events = await audit.query('test', { first: 100, userId: 'flood' });
    assert.deepEqual(
      events.map((e) => e.details?.seq),
      [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
      'the first ten, each once',
    );
    assert.equal(audit.dropped(), 5);
  });
});
