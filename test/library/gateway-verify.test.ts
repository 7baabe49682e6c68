import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  type GatewayRequest,
  type GatewayVerification,
  type VerifyOptions,
  verifyGatewaySignature,
} from '../../src/library/gateway-verify.js';
import { createNonceStore, type NonceStore } from '../../src/library/nonce-store.js';
import {
  deriveGatewayKey,
  exportGatewayKey,
  gatewayHeaders,
  KEY_INFO,
  NONCE_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  USER_ID_HEADER,
} from '../../src/vocabulary/index.js';

const SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const key = deriveGatewayKey(SECRET, 'orders');
const NOW_MS = 1_700_000_000_000;
const NOW = NOW_MS / 1000;
const BODY = '{"query":"{ myOrders { id } }"}';
const who = { app: 'shop', userId: 'u1', sessionId: 's1' };

/** A call as the gateway signs it, as a service receives it (Node's lower-case header object). */
const signed = (over: Partial<typeof who> = {}, atMs = NOW_MS, body = BODY): GatewayRequest => ({
  method: 'POST',
  headers: gatewayHeaders(key, { ...who, ...over }, { method: 'POST', body }, atMs),
  body,
});
/** Options with a fresh nonce store, so each check stands alone. */
const opts = (o: VerifyOptions = {}): VerifyOptions => ({ now: NOW, nonceStore: createNonceStore(), ...o });
const reasonOf = (v: GatewayVerification) => (v.ok ? 'ok' : v.reason);

describe('verifyGatewaySignature (v2)', () => {
  it('verifies what the gateway signed and returns the identity it vouches for, from any header shape and body type', async () => {
    const call = signed();
    assert.deepEqual(await verifyGatewaySignature(call, exportGatewayKey(SECRET, 'orders'), opts()), {
      ok: true,
      version: 2,
      issuedAt: NOW,
      ...who,
    });
    const asFetch = { ...call, headers: new Headers(call.headers as Record<string, string>) };
    assert.equal((await verifyGatewaySignature(asFetch, key, opts())).ok, true, 'Fetch Headers');
    const asBytes = { ...call, body: Buffer.from(BODY) };
    assert.equal((await verifyGatewaySignature(asBytes, key, opts())).ok, true, 'raw bytes');
    const anonymous = signed({ userId: null, sessionId: null } as never);
    const v = await verifyGatewaySignature(anonymous, key, opts());
    assert.deepEqual(v.ok && [v.userId, v.sessionId], [null, null]);
  });

  it('accepts a nonce once: the default store refuses a replay, a custom (async) store is consulted', async () => {
    const call = signed();
    assert.equal((await verifyGatewaySignature(call, key, { now: NOW })).ok, true);
    assert.deepEqual(await verifyGatewaySignature(call, key, { now: NOW }), { ok: false, reason: 'replayed' });
    const asked: [string, number][] = [];
    const shared = new Set<string>();
    const store: NonceStore = {
      seen: async (nonce, ttlMs) => {
        asked.push([nonce, ttlMs]);
        const had = shared.has(nonce);
        shared.add(nonce);
        return had;
      },
    };
    const other = signed();
    assert.equal((await verifyGatewaySignature(other, key, { now: NOW, nonceStore: store })).ok, true);
    assert.equal(reasonOf(await verifyGatewaySignature(other, key, { now: NOW, nonceStore: store })), 'replayed');
    assert.equal(asked.length, 2);
    assert.equal(asked[0]![0], (other.headers as Record<string, string>)[NONCE_HEADER]);
    assert.ok(asked[0]![1] >= 20_000, 'kept at least as long as its timestamp can pass the window');
    const failing: NonceStore = {
      seen: () => {
        throw new Error('redis down');
      },
    };
    assert.equal(
      reasonOf(await verifyGatewaySignature(signed(), key, { now: NOW, nonceStore: failing })),
      'store-failed',
    );
    const rejecting: NonceStore = { seen: () => Promise.reject(new Error('timeout')) };
    assert.equal(
      reasonOf(await verifyGatewaySignature(signed(), key, { now: NOW, nonceStore: rejecting })),
      'store-failed',
    );
  });

  it('a forged call never reaches the nonce store (it cannot be filled with junk)', async () => {
    let asked = 0;
    const store: NonceStore = {
      seen: () => {
        asked++;
        return false;
      },
    };
    const call = signed();
    await verifyGatewaySignature(
      { ...call, body: '{"query":"{ allOrders { id } }"}' },
      key,
      opts({ nonceStore: store }),
    );
    await verifyGatewaySignature(signed({}, NOW_MS - 60_000), key, opts({ nonceStore: store }));
    assert.equal(asked, 0);
  });

  it('refuses another body, method, app, user, session, nonce, timestamp or key', async () => {
    const call = signed();
    const h = call.headers as Record<string, string>;
    const cases: [string, GatewayRequest | GatewayVerification][] = [];
    const check = async (label: string, req: GatewayRequest, k: Uint8Array = key) =>
      cases.push([label, await verifyGatewaySignature(req, k, opts())]);
    await check('body', { ...call, body: `${BODY} ` });
    await check('method', { ...call, method: 'PUT' });
    await check('method case is not a way round', { ...call, method: 'GET' });
    await check('app', { ...call, headers: { ...h, 'x-gatehouse-app': 'other' } });
    await check('user', { ...call, headers: { ...h, [USER_ID_HEADER]: 'admin' } });
    await check('user removed', { ...call, headers: { ...h, [USER_ID_HEADER]: undefined } });
    await check('session', { ...call, headers: { ...h, 'x-gatehouse-session-id': 's2' } });
    await check('nonce', { ...call, headers: { ...h, [NONCE_HEADER]: 'BBBBBBBBBBBBBBBBBBBBBA' } });
    await check('timestamp within the window', { ...call, headers: { ...h, [TIMESTAMP_HEADER]: String(NOW_MS + 1) } });
    await check('another service’s key', call, deriveGatewayKey(SECRET, 'billing'));
    for (const [label, v] of cases) assert.deepEqual(v, { ok: false, reason: 'bad-signature' }, label);
  });

  it('keeps the window at ±10 s at most: configurable down, never up', async () => {
    assert.equal((await verifyGatewaySignature(signed({}, NOW_MS - 10_000), key, opts())).ok, true);
    assert.equal((await verifyGatewaySignature(signed({}, NOW_MS + 10_000), key, opts())).ok, true);
    assert.equal(reasonOf(await verifyGatewaySignature(signed({}, NOW_MS - 11_000), key, opts())), 'expired');
    assert.equal(reasonOf(await verifyGatewaySignature(signed({}, NOW_MS + 11_000), key, opts())), 'expired');
    const old = signed({}, NOW_MS - 15_000);
    assert.equal(reasonOf(await verifyGatewaySignature(old, key, opts({ maxAgeSeconds: 60 }))), 'expired');
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY])
      assert.equal(reasonOf(await verifyGatewaySignature(old, key, opts({ maxAgeSeconds: bad }))), 'expired');
    const threeSeconds = signed({}, NOW_MS - 3_000);
    assert.equal(reasonOf(await verifyGatewaySignature(threeSeconds, key, opts({ maxAgeSeconds: 2 }))), 'expired');
  });

  it('malformed input of every kind is refused with a reason, never thrown', async () => {
    const call = signed();
    const h = call.headers as Record<string, string>;
    const huge = 'x'.repeat(1_000_000);
    const variants: [string, unknown, string][] = [
      ['no headers at all', { method: 'POST', headers: {}, body: BODY }, 'missing'],
      ['empty signature', { ...call, headers: { ...h, [SIGNATURE_HEADER]: '' } }, 'missing'],
      [
        'wrong prefix',
        { ...call, headers: { ...h, [SIGNATURE_HEADER]: h[SIGNATURE_HEADER]!.replace('v2=', 'v3=') } },
        'malformed',
      ],
      ['no prefix', { ...call, headers: { ...h, [SIGNATURE_HEADER]: h[SIGNATURE_HEADER]!.slice(3) } }, 'malformed'],
      ['not base64url', { ...call, headers: { ...h, [SIGNATURE_HEADER]: `v2=${'!'.repeat(43)}` } }, 'malformed'],
      ['standard base64', { ...call, headers: { ...h, [SIGNATURE_HEADER]: `v2=${'+/'.repeat(21)}A=` } }, 'malformed'],
      ['short MAC', { ...call, headers: { ...h, [SIGNATURE_HEADER]: 'v2=AAAA' } }, 'malformed'],
      [
        'a non-canonical spelling of the MAC',
        {
          ...call,
          headers: {
            ...h,
            [SIGNATURE_HEADER]: `${h[SIGNATURE_HEADER]!.slice(0, -1)}${flipLowBits(h[SIGNATURE_HEADER]!.at(-1)!)}`,
          },
        },
        'malformed',
      ],
      ['huge signature', { ...call, headers: { ...h, [SIGNATURE_HEADER]: `v2=${huge}` } }, 'malformed'],
      ['huge user id', { ...call, headers: { ...h, [USER_ID_HEADER]: huge } }, 'malformed'],
      ['control character in the user id', { ...call, headers: { ...h, [USER_ID_HEADER]: 'u1\nshop' } }, 'malformed'],
      ['no nonce', { ...call, headers: { ...h, [NONCE_HEADER]: undefined } }, 'malformed'],
      ['short nonce', { ...call, headers: { ...h, [NONCE_HEADER]: 'AAAA' } }, 'malformed'],
      ['huge nonce', { ...call, headers: { ...h, [NONCE_HEADER]: huge } }, 'malformed'],
      ['nonce not base64url', { ...call, headers: { ...h, [NONCE_HEADER]: '*'.repeat(22) } }, 'malformed'],
      ['no timestamp', { ...call, headers: { ...h, [TIMESTAMP_HEADER]: undefined } }, 'malformed'],
      ['timestamp not digits', { ...call, headers: { ...h, [TIMESTAMP_HEADER]: '1e12' } }, 'malformed'],
      ['huge timestamp', { ...call, headers: { ...h, [TIMESTAMP_HEADER]: '9'.repeat(400) } }, 'malformed'],
      ['negative timestamp', { ...call, headers: { ...h, [TIMESTAMP_HEADER]: `-${NOW_MS}` } }, 'malformed'],
      ['odd method', { ...call, method: 'PO ST' }, 'malformed'],
      ['body of another type', { ...call, body: 42 }, 'malformed'],
      ['headers only (the v1-era call form)', call.headers, 'no-body'],
      ['a null body', { ...call, body: null }, 'no-body'],
      ['null', null, 'missing'],
      ['undefined', undefined, 'missing'],
      ['a number', 7, 'missing'],
      [
        'headers whose get throws',
        {
          ...call,
          headers: {
            get: () => {
              throw new Error('boom');
            },
          },
        },
        'malformed',
      ],
      ['a header array', { ...call, headers: { ...h, [SIGNATURE_HEADER]: [h[SIGNATURE_HEADER]!, 'v2=x'] } }, 'ok'],
    ];
    for (const [label, input, reason] of variants) {
      const v = await verifyGatewaySignature(input as GatewayRequest, key, opts());
      assert.equal(reasonOf(v), reason, label);
    }
    assert.equal(reasonOf(await verifyGatewaySignature(call, '', opts())), 'bad-signature', 'an empty key');
    assert.equal(
      reasonOf(await verifyGatewaySignature(call, 7 as never, opts())),
      'bad-signature',
      'a key of another type',
    );
  });
});

describe('verifyGatewaySignature (the v1 form)', () => {
  /** The first form, as the gateway made it before v2: no body, no nonce. */
  const v1 = (t: number, app: string, userId: string) => ({
    [SIGNATURE_HEADER]: `t=${t},v1=${createHmac('sha256', key).update(`${KEY_INFO}\norders\n${t}\n${app}\n${userId}`).digest('base64url')}`,
    'x-gatehouse-app': app,
    [USER_ID_HEADER]: userId,
  });

  it('is refused by default, and accepted (replayably, within the window) only with allowV1 for the rollout', async () => {
    const headers = v1(NOW, 'shop', 'u1');
    assert.deepEqual(await verifyGatewaySignature(headers, key, opts({ service: 'orders' })), {
      ok: false,
      reason: 'v1-refused',
    });
    const allowed = opts({ service: 'orders', allowV1: true });
    assert.deepEqual(await verifyGatewaySignature(headers, key, allowed), {
      ok: true,
      version: 1,
      issuedAt: NOW,
      app: 'shop',
      userId: 'u1',
      sessionId: null,
    });
    assert.equal(
      reasonOf(await verifyGatewaySignature({ ...headers, [USER_ID_HEADER]: 'admin' }, key, allowed)),
      'bad-signature',
    );
    assert.equal(reasonOf(await verifyGatewaySignature(v1(NOW - 11, 'shop', 'u1'), key, allowed)), 'expired');
    assert.equal(
      reasonOf(await verifyGatewaySignature(headers, key, opts({ allowV1: true }))),
      'malformed',
      'no service',
    );
  });
});

describe('createNonceStore', () => {
  it('remembers a nonce for its TTL, and when full of live nonces refuses rather than forget one', async () => {
    const store = createNonceStore({ max: 2 });
    assert.equal(store.seen('a', 60_000), false);
    assert.equal(store.seen('a', 60_000), true);
    assert.equal(store.seen('b', 60_000), false);
    assert.equal(store.seen('c', 60_000), true, 'full: c is refused, a and b stay remembered');
    assert.equal(store.seen('a', 60_000), true);
    const short = createNonceStore({ max: 1 });
    assert.equal(short.seen('x', 30), false);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(short.seen('y', 30), false, 'an expired nonce makes room');
    assert.equal(short.seen('x', 30), true, 'the store is full of y again');
  });
});

/** The last character of a 43-character base64url MAC carries 4 bits and 2 ignored ones: flip those. */
function flipLowBits(c: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return alphabet[alphabet.indexOf(c) ^ 1]!;
}
