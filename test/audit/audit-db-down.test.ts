import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AuditWriter, createAuditLog } from '../../src/audit/index.js';
import { OffsetClock } from '../../src/clock.js';
import { connectDatabase, type Database } from '../../src/db/index.js';
import { captureLogs, createMetrics, type Metrics } from '../../src/observability/index.js';
import { domainSettings } from '../../src/services.js';
import { manifestFrom, testManifest } from '../helpers/manifest.js';
import { startOwnFerretDB } from '../helpers/own-db.js';

describe('audit log while the database is away', () => {
  const logs = captureLogs('info');
  let db: Awaited<ReturnType<typeof startOwnFerretDB>>;
  let database: Database;
  let metrics: Metrics;
  let audit: AuditWriter;

  before(async () => {
    db = await startOwnFerretDB();
    database = await connectDatabase(db.uri, 'gh_audit_down'); // the suite's own server: no name clash
    metrics = createMetrics({ collectDefault: false });
    const deps = {
      database,
      clock: new OffsetClock(),
      logger: logs.logger,
      metrics,
    };
    const settings = domainSettings(manifestFrom(testManifest()), 'unused-by-the-audit-log-0123456789abcdef');
    audit = createAuditLog(deps, settings.audit, { flushMs: 100 });
    await audit.start();
  });
  after(async () => {
    await database.close();
    await db.dispose();
  });

  const record = (n: number, userId: string) => {
    for (let i = 0; i < n; i++) audit.record({ app: 'test', type: 'login', outcome: 'success', userId });
  };
  const stored = () => database.db.collection('audit_events').countDocuments({});
  const counter = async (name: string) =>
    Number((await metrics.registry.metrics()).match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1]);

  it('keeps events queued while the database is down and writes them after it returns', async () => {
    record(5, 'before');
    await audit.flush();
    assert.equal(await stored(), 5);

    await db.stop();
    const t0 = performance.now();
    record(20, 'during');
    assert.ok(performance.now() - t0 < 50, 'record() does not wait for the database');
    await assert.rejects(audit.flush(), 'an explicit flush says it failed');
    assert.equal(audit.pending(), 20, 'nothing lost');
    assert.equal(audit.dropped(), 0);
    assert.ok((await counter('gatehouse_db_errors_total')) >= 1);

    await db.start();
    // no explicit flush: the background writer retries on its own
    const start = Date.now();
    while (audit.pending() > 0) {
      if (Date.now() - start > 20_000) assert.fail(`still ${audit.pending()} pending 20 s after restart`);
      await sleep(100);
    }
    assert.equal(await stored(), 25, 'every event once, no duplicates');
    assert.equal((await audit.query('test', { first: 50, userId: 'during' })).length, 20);
    const messages = logs.lines().map((l) => l.msg);
    assert.equal(messages.filter((m) => m === 'audit events not written; retrying').length, 1, 'logged once');
    assert.ok(messages.includes('audit writes recovered'));
  });

  it('stop() with the database down counts what it could not write, never silently', async () => {
    await db.stop();
    record(2, 'lost');
    await audit.stop();
    assert.equal(audit.pending(), 0);
    assert.equal(audit.dropped(), 2);
    assert.equal(await counter('gatehouse_audit_dropped_total'), 2);
    assert.ok(logs.lines().some((l) => l.msg === 'audit events lost at shutdown' && l.lost === 2));
  });
});
