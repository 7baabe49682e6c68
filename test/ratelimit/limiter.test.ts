import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppConfig } from '../../src/config/index.js';
import { createRateLimiter, RATE_LIMITS_COLLECTION, type RateLimiter } from '../../src/ratelimit/index.js';
import { coreDeps, type TestDeps } from '../helpers/deps.js';
import { limitersOnOneDatabase, type SharedLimiters } from '../helpers/limiters.js';
import { testManifest } from '../helpers/manifest.js';

const manifest = testManifest({
  rate_limits: {
    login: { max_attempts: 5, window_seconds: 900, max_lockout_seconds: 60 },
    login_ip: { max_attempts: 20, window_seconds: 60 },
    register: { max_attempts: 3, window_seconds: 3600 },
  },
});

describe('rate limiter over the shared database', () => {
  const deps: TestDeps[] = [];
  const limiters: RateLimiter[] = [];
  let app: AppConfig;
  let limiter: RateLimiter;
  let n = 0;
  const account = () => `user${++n}@example.com`;

  let shared: SharedLimiters;
  before(async () => {
    // Three instances on one database, sharing one clock so time travel moves all three.
    shared = await limitersOnOneDatabase(manifest);
    deps.push(...shared.deps);
    limiters.push(...shared.limiters);
    app = deps[0]!.manifest.apps[0]!;
    limiter = limiters[0]!;
  });
  after(() => shared.close());

  it('lets at most max_attempts of 50 parallel logins across 3 instances reach the password check', async () => {
    const key = account();
    const started = Date.now();
    const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => limiters[i % 3]!.beginLogin(app, key)));
    const elapsed = Date.now() - started;
    const passed = decisions.filter((d) => d.allowed).length;
    assert.ok(passed >= 1 && passed <= app.rateLimits.login.maxAttempts + 1, `passed: ${passed}`);
    assert.equal(passed, app.rateLimits.login.maxAttempts, 'exact on this design');
    for (const d of decisions.filter((x) => !x.allowed)) assert.ok(d.retryAfter >= 1);
    // the allowed attempts fail: the account is now locked for everyone
    await Promise.all(Array.from({ length: passed }, (_, i) => limiters[i % 3]!.endLogin(app, key, false)));
    for (const l of limiters) assert.equal((await l.beginLogin(app, key)).allowed, false);
    process.stderr.write(`  [measured] 50 parallel beginLogin on 3 instances: ${elapsed} ms, ${passed} allowed\n`);
  });

  it('locks with exponential backoff; even the right password waits; a success resets', async () => {
    const { clock } = deps[0]!;
    const { metrics } = deps[1]!;
    const key = account();
    for (let i = 0; i < 5; i++) {
      assert.equal((await limiter.beginLogin(app, key)).allowed, true, `attempt ${i + 1}`);
      await limiter.endLogin(app, key, false);
    }
    const before = metrics.calls.filter((c) => c === 'rateLimited:test:login').length;
    // Locked: a caller holding the correct password is refused before any password work.
    assert.deepEqual(await limiters[1]!.beginLogin(app, key), { allowed: false, retryAfter: 1 });
    assert.equal(metrics.calls.filter((c) => c === 'rateLimited:test:login').length, before + 1);
    for (const wait of [1, 2, 4, 8, 16, 32, 60, 60]) {
      clock.advance(wait * 1000 - 1);
      assert.equal((await limiter.beginLogin(app, key)).allowed, false, `still locked just before ${wait} s`);
      clock.advance(1);
      assert.equal((await limiters[2]!.beginLogin(app, key)).allowed, true, `probe after ${wait} s`);
      await limiters[2]!.endLogin(app, key, false);
      const next = await limiter.beginLogin(app, key);
      assert.equal(next.allowed, false);
      assert.equal(next.retryAfter, Math.min(wait * 2, 60), 'doubling, capped at max_lockout_seconds');
    }
    clock.advance(60_000);
    assert.equal((await limiter.beginLogin(app, key)).allowed, true);
    await limiter.endLogin(app, key, true);
    // reset: max_attempts fresh attempts again
    for (let i = 0; i < 5; i++) {
      assert.equal((await limiter.beginLogin(app, key)).allowed, true);
      await limiter.endLogin(app, key, false);
    }
    assert.equal((await limiter.beginLogin(app, key)).allowed, false);
  });

  it('keeps accounts and apps apart', async () => {
    const key = account();
    const started = performance.now();
    for (let i = 0; i < 5; i++) {
      await limiter.beginLogin(app, key);
      await limiter.endLogin(app, key, false);
    }
    const perLogin = (performance.now() - started) / 5;
    process.stderr.write(`  [measured] beginLogin + endLogin, sequential: ${perLogin.toFixed(1)} ms per login\n`);
    assert.equal((await limiter.beginLogin(app, key)).allowed, false);
    assert.equal((await limiter.beginLogin(app, account())).allowed, true);
    assert.equal((await limiter.beginLogin({ ...app, slug: 'other' }, key)).allowed, true);
  });

  it('counts per IP in fixed windows, per kind and app, exactly under parallel hits', async () => {
    const { clock } = deps[0]!;
    // Start at a window boundary so the window cannot roll over mid-test.
    clock.advance(60_000 - (clock.ms() % 60_000));
    const ip = '203.0.113.7';
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => limiters[i % 3]!.hitIp(app, 'login', ip)));
    assert.equal(results.filter((r) => r.allowed).length, 20, 'exactly the limit');
    for (const r of results.filter((x) => !x.allowed))
      assert.ok(r.retryAfter >= 1 && r.retryAfter <= 60, `${r.retryAfter}`);
    // Each instance counts the refusals it made (which instances refuse depends on who took the slots first).
    for (let k = 0; k < 3; k++) {
      if (results.some((r, i) => i % 3 === k && !r.allowed))
        assert.ok(deps[k]!.metrics.calls.includes('rateLimited:test:login_ip'), `instance ${k}`);
    }
    // other IPs, kinds and apps have their own windows
    assert.equal((await limiter.hitIp(app, 'login', '2001:db8::1')).allowed, true);
    assert.equal((await limiter.hitIp(app, 'anonymous', ip)).allowed, true);
    assert.equal((await limiter.hitIp({ ...app, slug: 'other' }, 'login', ip)).allowed, true);
    clock.advance(30_000);
    const half = await limiter.hitIp(app, 'login', ip);
    assert.equal(half.allowed, false);
    assert.equal(half.retryAfter, 30);
    clock.advance(30_000);
    assert.equal((await limiter.hitIp(app, 'login', ip)).allowed, true, 'a new window');
    // register has its own, smaller limit
    const reg = [];
    for (let i = 0; i < 4; i++) reg.push(await limiter.hitIp(app, 'register', ip));
    assert.deepEqual(
      reg.map((r) => r.allowed),
      [true, true, true, false],
    );
    const hourLeft = Math.ceil((3_600_000 - (clock.ms() % 3_600_000)) / 1000);
    assert.ok(Math.abs(reg[3]!.retryAfter - hourLeft) <= 1, `${reg[3]!.retryAfter} vs ${hourLeft}`);
  });

  it('stores only what a full window needs and marks every document for expiry', async () => {
    const coll = deps[0]!.database.db.collection(RATE_LIMITS_COLLECTION);
    const ip = '198.51.100.9';
    for (let i = 0; i < 25; i++) await limiter.hitIp(app, 'login', ip);
    assert.equal(await coll.countDocuments({ key: { $regex: `^ip:login:test:${ip}:` } }), 20);
    assert.equal(await coll.countDocuments({ expiresAt: { $exists: false } }), 0);
  });

  it('fails closed when the database is gone', async () => {
    const d = await coreDeps({ manifest });
    const l = createRateLimiter(d);
    await d.close();
    await assert.rejects(l.beginLogin(app, account()));
    await assert.rejects(l.hitIp(app, 'login', '192.0.2.1'));
  });
});
