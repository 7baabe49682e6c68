/**
 * Nothing on the login path grows without bound: the rows the real services write (rate-limit
 * slots and account versions, sessions, revocations, audit events) are deleted
 * by their sweeper once expired, over the run's real database, with a sweep interval of 50 ms.
 * Where the server honours TTL indexes (mongod) the TTL monitor does it instead, within a minute.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AUDIT_COLLECTION, createAuditLog } from '../../src/audit/index.js';
import type { AppConfig } from '../../src/config/index.js';
import { accountKey, createRateLimiter, RATE_LIMITS_COLLECTION } from '../../src/ratelimit/index.js';
import { createRevocationFeed, createSessionService } from '../../src/sessions/index.js';
import { coreDeps, type TestDeps } from '../helpers/deps.js';
import { testManifest } from '../helpers/manifest.js';

const DAY_MS = 24 * 3600 * 1000;
const SWEEP_MS = 50;

const manifest = testManifest({
  audit: { retention_days: 30 },
  sessions: { inactivity_timeout: 3600 },
  tokens: { refresh_ttl: 10 * 24 * 3600 },
});

/** Polls until `check` holds (sweeps are asynchronous), failing after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  for (const t0 = Date.now(); !(await check()); await sleep(25)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
  }
}

describe('bounded collections: expired rows are swept', {
  skip:
    process.env.GATEHOUSE_TEST_DB_KIND === 'mongod' || process.env.GATEHOUSE_TEST_DB_KIND === 'external'
      ? 'the server honours TTL indexes'
      : false,
}, () => {
  let deps: TestDeps;
  let app: AppConfig;
  const stops: (() => unknown)[] = [];
  const count = (coll: string) => deps.database.db.collection(coll).countDocuments({});

  before(async () => {
    deps = await coreDeps({ manifest });
    deps.sweepMs = SWEEP_MS;
    app = deps.manifest.apps[0]!;
    assert.equal(app.audit.retentionDays, 30);
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop();
    await deps.database.db.dropDatabase();
    await deps.close();
  });

  it('rate limits, sessions, revocations and audit events: expired ones go, live ones stay', async () => {
    const limiter = createRateLimiter(deps);
    const revocations = createRevocationFeed(deps, { ...deps.settings.revocations, ...{ pollMs: 1000 } });
    const sessions = createSessionService(deps, deps.settings.sessions, revocations);
    const audit = createAuditLog(deps, deps.settings.audit, { flushMs: 10 });
    for (const s of [limiter, revocations, sessions, audit]) {
      await s.start();
      stops.push(() => s.stop());
    }

    // Old rows, written through the services at "now".
    await limiter.hitIp(app, 'login', '203.0.113.7');
    assert.ok((await limiter.beginLogin(app, accountKey(app.slug, 'old@example.test'))).allowed);
    await limiter.endLogin(app, accountKey(app.slug, 'old@example.test'), false);
    const idle = await sessions.create(app, 'u-idle', {});
    const revoked = await sessions.create(app, 'u-revoked', {});
    assert.equal(await sessions.revoke(app, 'u-revoked', revoked.session.id, 'logout'), true);
    audit.record({ app: app.slug, type: 'login', outcome: 'failure', userId: 'u-old' });
    await audit.flush();
    for (const coll of [RATE_LIMITS_COLLECTION, 'sessions', 'revocations', AUDIT_COLLECTION]) {
      assert.ok((await count(coll)) > 0, `${coll} has the rows just written`);
    }

    // Two hours on: the rate-limit windows and the revocations (access TTL + margin) have expired,
    // and both sessions are idle past the inactivity timeout; the audit event is within retention.
    deps.clock.advance(2 * 3600 * 1000);
    const live = await sessions.create(app, 'u-live', {});
    await eventually(async () => (await count(RATE_LIMITS_COLLECTION)) === 0);
    await eventually(async () => (await count('revocations')) === 0);
    await eventually(async () => (await count('sessions')) === 1);
    const left = await deps.database.db.collection('sessions').find({}).toArray();
    assert.deepEqual(
      left.map((d) => d._id),
      [live.session.id],
    );
    assert.ok(!left.some((d) => String(d._id) === idle.session.id));
    await sleep(5 * SWEEP_MS);
    assert.equal(await count(AUDIT_COLLECTION), 1, 'audit events are kept for retention_days');

    // Past retention_days (and the refresh TTL): the audit event and the last session go too.
    deps.clock.advance(31 * DAY_MS);
    audit.record({ app: app.slug, type: 'login', outcome: 'success', userId: 'u-new' });
    await audit.flush();
    await eventually(async () => (await count('sessions')) === 0);
    await eventually(async () => (await count(AUDIT_COLLECTION)) === 1);
    const kept = await deps.database.db.collection(AUDIT_COLLECTION).findOne({});
    assert.equal(kept?.userId, 'u-new');
  });
});
