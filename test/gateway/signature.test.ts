import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  APP_HEADER,
  canonicalV2,
  deriveGatewayKey,
  exportGatewayKey,
  gatewayHeaders,
  NONCE_HEADER,
  SESSION_ID_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  USER_ID_HEADER,
} from '../../src/vocabulary/index.js';

const SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const key = deriveGatewayKey(SECRET, 'orders');
const NOW_MS = 1_700_000_000_123;
const BODY = '{"query":"{ myOrders { id } }","variables":{"n":1}}';

describe('gateway signature (the signing side)', () => {
  it('signs method, body hash, app, user, session, nonce and time with the per-service key, as documented', () => {
    const h = gatewayHeaders(
      key,
      { app: 'shop', userId: 'u1', sessionId: 's1' },
      { method: 'post', body: BODY },
      NOW_MS,
      'AAAAAAAAAAAAAAAAAAAAAA',
    );
    assert.equal(h[APP_HEADER], 'shop');
    assert.equal(h[USER_ID_HEADER], 'u1');
    assert.equal(h[SESSION_ID_HEADER], 's1');
    assert.equal(h[TIMESTAMP_HEADER], String(NOW_MS));
    assert.equal(h[NONCE_HEADER], 'AAAAAAAAAAAAAAAAAAAAAA');
    // Recomputed here from the contract's words, not from the module's helpers.
    const canonical = [
      'v2',
      'POST',
      createHash('sha256').update(BODY).digest('base64url'),
      'shop',
      'u1',
      's1',
      'AAAAAAAAAAAAAAAAAAAAAA',
      String(NOW_MS),
    ].join('\n');
    const mac = createHmac('sha256', Buffer.from(exportGatewayKey(SECRET, 'orders'), 'base64url'))
      .update(canonical)
      .digest('base64url');
    assert.equal(h[SIGNATURE_HEADER], `v2=${mac}`);
    assert.equal(
      canonicalV2({
        method: 'POST',
        bodyHash: 'h',
        app: 'a',
        userId: 'u',
        sessionId: '',
        nonce: 'n',
        timestamp: '1',
      }),
      'v2\nPOST\nh\na\nu\n\nn\n1',
    );
  });

  it('omits app and user id when there are none, always sends the session header, and a fresh nonce each call', () => {
    const a = gatewayHeaders(key, { app: null, userId: null }, { method: 'POST', body: BODY }, NOW_MS);
    const b = gatewayHeaders(key, { app: null, userId: null }, { method: 'POST', body: BODY }, NOW_MS);
    assert.equal(a[APP_HEADER], undefined);
    assert.equal(a[USER_ID_HEADER], undefined);
    assert.equal(a[SESSION_ID_HEADER], '');
    assert.match(a[NONCE_HEADER]!, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a[NONCE_HEADER], b[NONCE_HEADER]);
    assert.notEqual(a[SIGNATURE_HEADER], b[SIGNATURE_HEADER]);
  });

  it('derives a distinct key per service and per secret (the derivation is unchanged since v1)', () => {
    assert.notDeepEqual(deriveGatewayKey(SECRET, 'orders'), deriveGatewayKey(SECRET, 'billing'));
    assert.notDeepEqual(deriveGatewayKey(SECRET, 'orders'), deriveGatewayKey(`${SECRET}x`, 'orders'));
    assert.equal(deriveGatewayKey(SECRET, 'orders').length, 32);
    // A key an operator printed with `gatehouse keys gateway orders` before v2 still works.
    assert.equal(exportGatewayKey(SECRET, 'orders'), '441X5nisXs7U4daN6daHcHQnO24o4JMFxvyWtAdtM2E');
  });
});
