import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppConfig } from '../../src/config/index.js';
import { RATE_LIMITS_COLLECTION, type RateLimiter } from '../../src/ratelimit/index.js';
import type { TestDeps } from '../helpers/deps.js';
import { limitersOnOneDatabase, type SharedLimiters } from '../helpers/limiters.js';
import { testManifest } from '../helpers/manifest.js';

const manifest = testManifest({
  rate_limits: {
    login: { max_attempts: 5, window_seconds: 900, max_lockout_seconds: 60 },
    login_ip: { max_attempts: 20, window_seconds: 60 },
  },
});

/**
 * reserveLogin: the per-IP slot and the account's attempt in one insert. The batching must not
 * loosen either limit: both stay exact under parallel logins over several instances, and an
 * attempt reserved for a request the IP limit then refuses is given back.
 */
describe('a login reserves both limits at once', () => {
  const deps: TestDeps[] = [];
  const limiters: RateLimiter[] = [];
  let app: AppConfig;
  let n = 0;
  const account = () => `reserve${++n}@example.com`;
  const ipSlots = (ip: string) =>
    deps[0]!.database.db
      .collection(RATE_LIMITS_COLLECTION)
      .countDocuments({ key: { $regex: `^ip:login:test:${ip}:` } });

  let shared: SharedLimiters;
  before(async () => {
    // Three instances on one database, sharing one clock so time travel moves all three.
    shared = await limitersOnOneDatabase(manifest);
    deps.push(...shared.deps);
    limiters.push(...shared.limiters);
    app = deps[0]!.manifest.apps[0]!;
  });
  after(() => shared.close());

  /** Each test starts at a window boundary (60 s windows; the shared clock only moves when told). */
  const newWindow = () => {
    const { clock } = deps[0]!;
    clock.advance(60_000 - (clock.ms() % 60_000));
  };

  it('50 parallel logins of one account from one IP over 3 instances: at most max_attempts reach the password, the IP counts exactly 20', async () => {
    newWindow();
    const key = account();
    const ip = '203.0.113.50';
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => limiters[i % 3]!.reserveLogin(app, ip, key)),
    );
    const passed = results.filter((r) => r.by === null).length;
    assert.ok(passed >= 1 && passed <= app.rateLimits.login.maxAttempts, `passed: ${passed}`);
    assert.equal(results.filter((r) => r.by !== 'ip').length, 20, 'exactly the IP limit got past the IP');
    assert.equal(await ipSlots(ip), 20);
    for (const r of results.filter((x) => x.by !== null)) assert.ok(r.decision.retryAfter >= 1);
    // the attempts that passed fail: the account locks everywhere
    await Promise.all(Array.from({ length: passed }, (_, i) => limiters[i % 3]!.endLogin(app, key, false)));
    if (passed === app.rateLimits.login.maxAttempts) {
      for (const l of limiters) assert.equal((await l.beginLogin(app, key)).allowed, false);
    }
  });

  it('30 parallel logins of 30 accounts from one IP: exactly 20 pass; the 10 refused by the IP keep their whole budget', async () => {
    newWindow();
    const ip = '203.0.113.51';
    const keys = Array.from({ length: 30 }, account);
    const results = await Promise.all(keys.map((k, i) => limiters[i % 3]!.reserveLogin(app, ip, k)));
    assert.equal(results.filter((r) => r.by === null).length, 20);
    const refused = keys.filter((_, i) => results[i]!.by === 'ip');
    assert.equal(refused.length, 10);
    for (const k of refused) {
      // no attempt was left reserved: max_attempts attempts in flight at once are still allowed
      const five = await Promise.all(Array.from({ length: 5 }, (_, i) => limiters[i % 3]!.beginLogin(app, k)));
      assert.deepEqual(
        five.map((d) => d.allowed),
        [true, true, true, true, true],
        k,
      );
    }
  });

  it('an account locked by failures elsewhere refuses, and the request still counts on the IP', async () => {
    newWindow();
    const key = account();
    const ip = '203.0.113.52';
    for (let i = 0; i < 5; i++) {
      assert.ok((await limiters[1]!.beginLogin(app, key)).allowed);
      await limiters[1]!.endLogin(app, key, false);
    }
    const r = await limiters[0]!.reserveLogin(app, ip, key);
    assert.equal(r.by, 'account');
    assert.ok(r.decision.retryAfter >= 1);
    assert.equal(await ipSlots(ip), 1);
  });
});
