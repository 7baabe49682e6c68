import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AppConfig } from '../../src/config/index.js';
import {
  createRevocationFeed,
  createSessionService,
  type RevocationFeed,
  type SessionService,
} from '../../src/sessions/index.js';
import { MAX_APPLY_LAG_MS } from '../../src/sessions/rotation.js';
import type { SessionDoc } from '../../src/sessions/session-store.js';
import { coreDeps, type TestDeps } from '../helpers/deps.js';
import { countDocuments, findSecrets } from '../identity/db-scan.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const device = { deviceId: 'laptop', userAgent: 'test-agent/1.0', ip: '203.0.113.7' };

/** The same app with some settings changed (each test states what it relies on). */
function variant(base: AppConfig, change: { grace?: number; max?: number; inactivity?: number; refreshTtl?: number }) {
  return {
    ...base,
    tokens: {
      ...base.tokens,
      refreshGraceSeconds: change.grace ?? base.tokens.refreshGraceSeconds,
      refreshTtl: change.refreshTtl ?? base.tokens.refreshTtl,
    },
    sessions: {
      maxPerUser: change.max ?? base.sessions.maxPerUser,
      inactivityTimeout: change.inactivity ?? base.sessions.inactivityTimeout,
    },
  };
}

describe('sessions', () => {
  let deps: TestDeps;
  let feed: RevocationFeed;
  let sessions: SessionService;
  const issued: string[] = [];
  let app: AppConfig;
  let other: AppConfig;
  const coll = () => deps.database.db.collection<SessionDoc>('sessions');
  const doc = async (id: string) => (await coll().findOne({ _id: id }))!;
  const create = async (a: AppConfig, userId: string) => {
    const c = await sessions.create(a, userId, device);
    issued.push(c.refreshToken);
    return c;
  };
  const rotate = async (a: AppConfig, token: string) => {
    const r = await sessions.rotate(a, token, { userAgent: 'agent/2', ip: '198.51.100.1' });
    if (r.ok) issued.push(r.refreshToken);
    return r;
  };

  before(async () => {
    deps = await coreDeps({ manifest: { apps: [{ slug: 'test' }, { slug: 'other' }] } });
    [app, other] = deps.manifest.apps as [AppConfig, AppConfig];
    feed = createRevocationFeed(deps, deps.settings.revocations);
    await feed.start();
    sessions = createSessionService(deps, deps.settings.sessions, feed);
    await sessions.start();
  });
  after(async () => {
    sessions.stop();
    feed.stop();
    await deps.close();
  });

  it('creates, lists and rotates; one rotation per token', async () => {
    const a = await create(app, 'u-basic');
    deps.clock.advance(1000);
    const b = await create(app, 'u-basic');
    assert.match(a.refreshToken, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(a.session.id.length >= 22 && a.session.id !== b.session.id);
    assert.deepEqual(a.evicted, []);
    assert.deepEqual(
      (await sessions.list(app, 'u-basic')).map((s) => s.id),
      [b.session.id, a.session.id],
    );
    assert.equal((await sessions.get(app, a.session.id))?.deviceId, 'laptop');
    assert.equal(await sessions.get(other, a.session.id), null, 'sessions are scoped to their app');

    deps.clock.advance(1000);
    const r1 = await rotate(app, a.refreshToken);
    assert.ok(r1.ok && !r1.reused);
    assert.notEqual(r1.refreshToken, a.refreshToken);
    assert.equal(r1.session.id, a.session.id);
    const d = await doc(a.session.id);
    assert.equal(d.refreshHash, sha256(r1.refreshToken));
    assert.equal(d.prevHash, sha256(a.refreshToken));
    assert.equal(d.rotations, 1);
    assert.equal(d.userAgent, 'agent/2');
    assert.equal(d.deviceId, 'laptop', 'the device id is fixed at login');
    assert.ok(d.lastActiveAt > a.session.lastActiveAt && d.rotatedAt?.getTime() === d.lastActiveAt.getTime());
    assert.deepEqual((await sessions.list(app, 'u-basic'))[0]?.id, a.session.id, 'rotation made it the most recent');

    const r2 = await rotate(app, r1.refreshToken);
    assert.ok(r2.ok && !r2.reused);
    assert.equal(new Set([a.refreshToken, r1.refreshToken, r2.refreshToken]).size, 3);
    assert.equal((await doc(a.session.id)).rotations, 2);
  });

  it('refuses unknown, malformed and foreign-app tokens without touching anything', async () => {
    const c = await create(app, 'u-unknown');
    assert.deepEqual(await rotate(app, 'A'.repeat(43)), { ok: false, reason: 'unknown' });
    assert.deepEqual(await rotate(app, 'short'), { ok: false, reason: 'unknown' });
    assert.deepEqual(await rotate(app, `${c.refreshToken}x`), { ok: false, reason: 'unknown' });
    assert.deepEqual(await rotate(other, c.refreshToken), { ok: false, reason: 'unknown' });
    assert.equal((await doc(c.session.id)).rotations, 0);
  });

  it('20 parallel rotations of one token: all succeed with the same new token, one rotation', async () => {
    const c = await create(app, 'u-parallel');
    const results = await Promise.all(Array.from({ length: 20 }, () => rotate(app, c.refreshToken)));
    const tokens = new Set(results.map((r) => (r.ok ? r.refreshToken : `refused:${r.reason}`)));
    assert.equal(tokens.size, 1, [...tokens].join());
    assert.ok(results.every((r) => r.ok));
    const winners = results.filter((r) => r.ok && !r.reused).length;
    // FerretDB v1 runs a conditional findAndModify as read-modify-write, so racers that read
    // before the first write all "match". They all write the same state (the successor is
    // deterministic), so the session still shows one rotation; mongod has exactly one winner.
    if (process.env.GATEHOUSE_TEST_DB_KIND === 'ferretdb') assert.ok(winners >= 1);
    else assert.equal(winners, 1);
    const d = await doc(c.session.id);
    assert.equal(d.rotations, 1);
    assert.equal(d.prevHash, sha256(c.refreshToken));
    assert.equal(d.revokedAt, null);
    assert.equal(d.refreshHash, sha256([...tokens][0]!));
  });

  it('after the grace window a rotated token is theft: session revoked, newest token refused', async () => {
    const c = await create(app, 'u-theft');
    const r1 = await rotate(app, c.refreshToken);
    assert.ok(r1.ok);
    deps.clock.advance((app.tokens.refreshGraceSeconds + 1) * 1000);
    const replay = await rotate(app, c.refreshToken);
    assert.deepEqual(replay, { ok: false, reason: 'theft', sessionId: c.session.id, userId: 'u-theft' });
    const d = await doc(c.session.id);
    assert.ok(d.revokedAt);
    assert.equal(d.revokeReason, 'reuse_detected');
    assert.ok(feed.isRevoked(c.session.id), 'published to the revocation feed');
    assert.deepEqual(await rotate(app, r1.refreshToken), {
      ok: false,
      reason: 'revoked',
      sessionId: c.session.id,
      userId: 'u-theft',
    });
    assert.deepEqual(await sessions.list(app, 'u-theft'), []);
  });

  it('the window runs from when the database applied the rotation, so a late write is no theft', async () => {
    const grace = app.tokens.refreshGraceSeconds * 1000;
    const c = await create(app, 'u-late');
    const r1 = await rotate(app, c.refreshToken);
    assert.ok(r1.ok);
    const d = await doc(c.session.id);
    assert.ok(d.rotationSentAt && d.rotationAppliedAt, 'both clocks of the rotation are recorded');
    assert.ok(Math.abs(d.rotationAppliedAt.getTime() - d.rotationSentAt.getTime()) < 5000, 'same-host clocks agree');
    // What a frozen database does: it applies the rotation 15 s after it was sent, when the client
    // has long given up; the client retries 20 s after sending.
    await coll().updateOne(
      { _id: c.session.id },
      { $set: { rotationAppliedAt: new Date(d.rotationSentAt.getTime() + 15_000) } },
    );
    deps.clock.advance(20_000);
    const retry = await rotate(app, c.refreshToken);
    assert.ok(retry.ok && retry.reused, `a retry ${20_000 - 15_000} ms after the late apply is the same client`);
    assert.equal(retry.refreshToken, r1.refreshToken, 'it gets the successor it never received');
    // ... but the window still closes: grace after the apply.
    deps.clock.advance(15_000 + grace - 20_000 + 1);
    const replay = await rotate(app, c.refreshToken);
    assert.equal(replay.ok ? 'ok' : replay.reason, 'theft');
  });

  it('a database clock far ahead widens the window by at most MAX_APPLY_LAG_MS', async () => {
    const c = await create(app, 'u-skew');
    const r1 = await rotate(app, c.refreshToken);
    assert.ok(r1.ok);
    const d = await doc(c.session.id);
    await coll().updateOne(
      { _id: c.session.id },
      { $set: { rotationAppliedAt: new Date(d.rotationSentAt!.getTime() + 24 * 3600_000) } },
    );
    deps.clock.advance(MAX_APPLY_LAG_MS + app.tokens.refreshGraceSeconds * 1000 + 1);
    const replay = await rotate(app, c.refreshToken);
    assert.equal(replay.ok ? 'ok' : replay.reason, 'theft');
  });

  it('a token older than the last rotation is theft even inside the window', async () => {
    const c = await create(app, 'u-older');
    const r1 = await rotate(app, c.refreshToken);
    assert.ok(r1.ok);
    const r2 = await rotate(app, r1.refreshToken);
    assert.ok(r2.ok);
    assert.equal((await rotate(app, c.refreshToken)).ok ? 'ok' : 'refused', 'refused');
    assert.equal((await doc(c.session.id)).revokeReason, 'reuse_detected');
  });

  it('grace 0 turns the window off: an immediate replay is theft', async () => {
    const strict = variant(app, { grace: 0 });
    const c = await create(strict, 'u-grace0');
    const r1 = await rotate(strict, c.refreshToken);
    assert.ok(r1.ok);
    const replay = await rotate(strict, c.refreshToken);
    assert.equal(replay.ok ? 'ok' : replay.reason, 'theft');
    assert.ok(feed.isRevoked(c.session.id));
  });

  it('ends a session after inactivity, checked at read time', async () => {
    const short = variant(app, { inactivity: 60 });
    const c = await create(short, 'u-idle');
    deps.clock.advance(59_000);
    const r1 = await rotate(short, c.refreshToken);
    assert.ok(r1.ok, 'activity within the timeout slides it');
    deps.clock.advance(59_000);
    assert.equal((await sessions.list(short, 'u-idle')).length, 1);
    deps.clock.advance(2000);
    assert.deepEqual(await sessions.list(short, 'u-idle'), [], 'inactive sessions are not listed');
    assert.equal(await sessions.get(short, c.session.id), null);
    assert.equal((await doc(c.session.id)).revokedAt, null, 'still in the database, yet dead');
    const late = await rotate(short, r1.refreshToken);
    assert.equal(late.ok ? 'ok' : late.reason, 'expired');
    assert.equal((await doc(c.session.id)).revokeReason, 'inactive');
    assert.ok(feed.isRevoked(c.session.id));
  });

  it('ends a session at its absolute expiry even when refreshed all along', async () => {
    const brief = variant(app, { refreshTtl: 120, inactivity: 3600 });
    const c = await create(brief, 'u-absolute');
    let token = c.refreshToken;
    for (let i = 0; i < 3; i++) {
      deps.clock.advance(35_000);
      const r = await rotate(brief, token);
      assert.ok(r.ok, `refresh ${i}`);
      token = r.refreshToken;
    }
    deps.clock.advance(20_000); // 125 s after creation
    assert.deepEqual(await sessions.list(brief, 'u-absolute'), []);
    const r = await rotate(brief, token);
    assert.equal(r.ok ? 'ok' : r.reason, 'expired');
  });

  it('max_per_user: 15 parallel logins with a limit of 10 leave exactly 10 live sessions', async () => {
    const ten = variant(app, { max: 10 });
    const created = await Promise.all(Array.from({ length: 15 }, () => create(ten, 'u-limit')));
    const live = await sessions.list(ten, 'u-limit');
    assert.equal(live.length, 10);
    assert.equal(await coll().countDocuments({ userId: 'u-limit', revokedAt: null }), 10);
    const evicted = await coll()
      .find({ userId: 'u-limit', revokedAt: { $ne: null } })
      .toArray();
    assert.equal(evicted.length, 5);
    for (const e of evicted) {
      assert.equal(e.revokeReason, 'session_limit');
      assert.ok(feed.isRevoked(e._id));
    }
    const reported = new Set(created.flatMap((c) => c.evicted));
    assert.deepEqual([...reported].sort(), evicted.map((e) => e._id).sort());
  });

  it('max_per_user evicts the least recently active session, never refusing the login', async () => {
    const two = variant(app, { max: 2 });
    const first = await create(two, 'u-lru');
    deps.clock.advance(1000);
    const second = await create(two, 'u-lru');
    deps.clock.advance(1000);
    assert.ok((await rotate(two, first.refreshToken)).ok); // first is now the most recently active
    deps.clock.advance(1000);
    const third = await create(two, 'u-lru');
    assert.deepEqual(third.evicted, [second.session.id]);
    assert.deepEqual(
      (await sessions.list(two, 'u-lru')).map((s) => s.id).sort(),
      [first.session.id, third.session.id].sort(),
    );
  });

  it('revokeAll keeps the current session; revoke refuses sessions of others', async () => {
    const [a, b, c] = [await create(app, 'u-all'), await create(app, 'u-all'), await create(app, 'u-all')];
    const mallory = await create(app, 'u-mallory');
    assert.equal(await sessions.revoke(app, 'u-mallory', a.session.id, 'revoked'), false);
    assert.equal((await doc(a.session.id)).revokedAt, null, 'nothing changed');
    assert.equal(feed.isRevoked(a.session.id), false);
    assert.equal(await sessions.revoke(other, 'u-all', a.session.id, 'revoked'), false, 'wrong app');

    assert.equal(await sessions.revokeAll(app, 'u-all', 'password_change', c.session.id), 2);
    assert.deepEqual(
      (await sessions.list(app, 'u-all')).map((s) => s.id),
      [c.session.id],
    );
    for (const s of [a, b]) {
      assert.equal((await doc(s.session.id)).revokeReason, 'password_change');
      assert.ok(feed.isRevoked(s.session.id));
      const r = await rotate(app, s.refreshToken);
      assert.equal(r.ok ? 'ok' : r.reason, 'revoked');
    }
    assert.equal(await sessions.revoke(app, 'u-all', c.session.id, 'logout'), true);
    assert.equal(await sessions.revoke(app, 'u-all', c.session.id, 'logout'), false, 'already revoked');
    assert.equal(await sessions.revokeAll(app, 'u-all', 'logout_all'), 0);
    assert.equal((await sessions.list(app, 'u-mallory'))[0]?.id, mallory.session.id, 'other users untouched');
  });

  it('the database never holds a refresh token in clear', async () => {
    assert.ok(issued.length > 40);
    assert.ok((await countDocuments(deps.database.db)) > 40);
    assert.deepEqual(await findSecrets(deps.database.db, issued), []);
  });
});
