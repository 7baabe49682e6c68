import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AccountState,
  LEASE_MS,
  type LoginLimits,
  lockSeconds,
  reserve,
  settle,
} from '../../src/ratelimit/index.js';

const limits: LoginLimits = { maxAttempts: 5, windowSeconds: 900, maxLockoutSeconds: 900 };

/** Runs begin + end `n` times at `now`, failing each attempt. */
function failTimes(state: AccountState | null, n: number, now: number): AccountState | null {
  let s = state;
  for (let i = 0; i < n; i++) {
    const r = reserve(s, now, limits);
    assert.ok(r.decision.allowed, `attempt ${i + 1} should be allowed`);
    s = settle(r.next!, now, false, limits);
  }
  return s;
}

describe('account lock state (pure)', () => {
  it('locks for 1 s doubling from max_attempts failures, capped at max_lockout_seconds', () => {
    assert.deepEqual(
      [4, 5, 6, 7, 10, 14, 15, 40, 5000].map((f) => lockSeconds(f, limits)),
      [0, 1, 2, 4, 32, 512, 900, 900, 900],
    );
  });

  it('allows max_attempts reservations in flight, then refuses without changing state', () => {
    let s: AccountState | null = null;
    for (let i = 0; i < 5; i++) {
      const r = reserve(s, 0, limits);
      assert.equal(r.decision.allowed, true);
      s = r.next!;
    }
    const sixth = reserve(s, 0, limits);
    assert.deepEqual(sixth.decision, { allowed: false, retryAfter: 1 });
    assert.equal(sixth.next, undefined);
  });

  it('refuses while locked, lets one probe through after the lock, and backs off exponentially', () => {
    let s = failTimes(null, 5, 0);
    assert.deepEqual(reserve(s, 0, limits).decision, { allowed: false, retryAfter: 1 });
    let now = 1000;
    for (const expected of [2, 4, 8]) {
      const probe = reserve(s, now, limits);
      assert.equal(probe.decision.allowed, true);
      // a second concurrent probe waits for the first
      assert.equal(reserve(probe.next!, now, limits).decision.allowed, false);
      s = settle(probe.next!, now, false, limits);
      assert.deepEqual(reserve(s, now, limits).decision, { allowed: false, retryAfter: expected });
      now += expected * 1000;
    }
  });

  it('a success clears failures and lock', () => {
    const s = failTimes(null, 4, 0);
    const r = reserve(s, 0, limits);
    const cleared = settle(r.next!, 0, true, limits);
    assert.equal(cleared.failures, 0);
    assert.equal(failTimes(cleared, 4, 0)!.failures, 4);
  });

  it('forgets failures a window after the last one', () => {
    const s = failTimes(null, 4, 0);
    assert.equal(reserve(s, 899_000, limits).next!.failures, 4);
    assert.equal(reserve(s, 900_000, limits).next!.failures, 0);
  });

  it('counts an attempt that never ended as a failure once its lease runs out', () => {
    let s: AccountState | null = null;
    for (let i = 0; i < 5; i++) s = reserve(s, 0, limits).next!;
    const later = reserve(s, LEASE_MS, limits);
    assert.equal(later.decision.allowed, false);
    assert.ok(later.decision.retryAfter >= 1);
    // the five lapsed attempts are five failures: locked from the lease end
    assert.equal(reserve(s, LEASE_MS + 1000, limits).decision.allowed, true);
  });
});
