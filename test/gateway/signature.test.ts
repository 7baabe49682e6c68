import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deriveGatewayKey,
  exportGatewayKey,
  type GatewayIdentity,
  gatewayHeaders,
  SIGNATURE_HEADER,
  USER_ID_HEADER,
  verifyGatewaySignature,
} from '../../src/gateway/signature.js';

const SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const key = deriveGatewayKey(SECRET, 'orders');
const NOW = 1_700_000_000;
const signed = (who: GatewayIdentity = { app: 'shop', userId: 'u1' }, at = NOW) =>
  gatewayHeaders(key, 'orders', who, at);

describe('gateway signature', () => {
  it('verifies what the gateway signed, returning the identity it vouches for', () => {
    const v = verifyGatewaySignature(new Headers(signed()), exportGatewayKey(SECRET, 'orders'), {
      service: 'orders',
      now: NOW + 5,
    });
    assert.deepEqual(v, { ok: true, issuedAt: NOW, app: 'shop', userId: 'u1' });
    const anonymous = verifyGatewaySignature(signed({ app: 'shop', userId: null }), key, {
      service: 'orders',
      now: NOW,
    });
    assert.deepEqual(anonymous, { ok: true, issuedAt: NOW, app: 'shop', userId: null });
  });

  it('refuses a swapped user id, another service’s assertion, an old one, and none at all', () => {
    const swapped = { ...signed(), [USER_ID_HEADER]: 'admin' };
    assert.deepEqual(verifyGatewaySignature(swapped, key, { service: 'orders', now: NOW }), {
      ok: false,
      reason: 'bad-signature',
    });
    const forBilling = gatewayHeaders(
      deriveGatewayKey(SECRET, 'billing'),
      'billing',
      { app: 'shop', userId: 'u1' },
      NOW,
    );
    assert.equal(verifyGatewaySignature(forBilling, key, { service: 'orders', now: NOW }).ok, false);
    assert.equal(verifyGatewaySignature(signed(), key, { service: 'billing', now: NOW }).ok, false);
    assert.deepEqual(verifyGatewaySignature(signed(), key, { service: 'orders', now: NOW + 61 }), {
      ok: false,
      reason: 'expired',
    });
    assert.equal(
      verifyGatewaySignature(signed(), key, { service: 'orders', now: NOW + 20, maxAgeSeconds: 10 }).ok,
      false,
    );
    assert.deepEqual(verifyGatewaySignature({}, key, { service: 'orders' }), { ok: false, reason: 'missing' });
    assert.deepEqual(verifyGatewaySignature({ [SIGNATURE_HEADER]: 't=1,v1=short' }, key, { service: 'orders' }), {
      ok: false,
      reason: 'malformed',
    });
  });

  it('derives a distinct key per service and per secret', () => {
    assert.notDeepEqual(deriveGatewayKey(SECRET, 'orders'), deriveGatewayKey(SECRET, 'billing'));
    assert.notDeepEqual(deriveGatewayKey(SECRET, 'orders'), deriveGatewayKey(`${SECRET}x`, 'orders'));
    assert.equal(deriveGatewayKey(SECRET, 'orders').length, 32);
  });
});
