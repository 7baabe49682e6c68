import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  age,
  expiresAt,
  isExpired,
  isExpiringSoon,
  shouldRefresh,
  timeUntilExpiry,
} from '../../src/library/lifecycle.js';

const claims = { iat: 1_000, exp: 1_600 }; // a 10-minute token
const at = (s: number) => s * 1000;

describe('token lifecycle helpers', () => {
  it('expiry time, time left, age', () => {
    assert.deepEqual(expiresAt(claims), new Date(1_600_000));
    assert.equal(timeUntilExpiry(claims, at(1_100)), 500);
    assert.equal(timeUntilExpiry(claims, at(2_000)), 0);
    assert.equal(age(claims, at(1_100)), 100);
    assert.equal(age(claims, new Date(at(900))), 0, 'a clock behind the issuer gives age 0, not a negative one');
    assert.equal(age({ exp: 1_600 }, at(1_100)), 0);
  });

  it('expired and expiring soon (inclusive threshold)', () => {
    assert.equal(isExpired(claims, at(1_599)), false);
    assert.equal(isExpired(claims, at(1_600)), true);
    assert.equal(isExpiringSoon(claims, 60, at(1_539)), false);
    assert.equal(isExpiringSoon(claims, 60, at(1_540)), true);
    assert.equal(isExpiringSoon(claims, 60, at(5_000)), true);
  });

  it('should refresh past 80% of the lifetime, within the threshold, or once expired', () => {
    assert.equal(shouldRefresh(claims, {}, at(1_400)), false);
    assert.equal(shouldRefresh(claims, {}, at(1_480)), true, '80% of 600 s');
    assert.equal(shouldRefresh(claims, { fraction: 0.5 }, at(1_300)), true);
    assert.equal(shouldRefresh({ exp: 1_600 }, {}, at(1_480)), false, 'no iat: only the threshold applies');
    assert.equal(shouldRefresh({ exp: 1_600 }, { thresholdSeconds: 120 }, at(1_480)), true);
    assert.equal(shouldRefresh(claims, {}, at(9_999)), true);
  });

  it('defaults to the current time', () => {
    const now = Math.floor(Date.now() / 1000);
    const fresh = { iat: now, exp: now + 600 };
    assert.equal(isExpired(fresh), false);
    assert.ok(timeUntilExpiry(fresh) > 590);
    assert.equal(shouldRefresh(fresh), false);
  });
});
