import assert from 'node:assert/strict';
import { createPublicKey, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { AppConfig, SigningAlgorithm } from '../../src/config/index.js';
import { verifyAccessToken, verifyPlan } from '../../src/tokens/access-token.js';
import { localVerifyPlan, verifyOwnToken } from '../../src/tokens/local-verify.js';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const NOW = 1_800_000_000;
const TTL = 900;
const KID = 'kid-1';

interface Keys {
  alg: SigningAlgorithm;
  sign: CryptoKey;
  crypto: CryptoKey;
  object: KeyObject;
}

async function keysFor(alg: SigningAlgorithm): Promise<Keys> {
  if (alg === 'HS256') {
    const raw = randomBytes(32);
    const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return { alg, sign: key, crypto: key, object: createSecretKey(raw) };
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'RS256' ? { modulusLength: 2048 } : {});
  const jwk = await exportJWK(publicKey);
  return { alg, sign: privateKey, crypto: publicKey, object: createPublicKey({ key: { ...jwk }, format: 'jwk' }) };
}

const app = (alg: SigningAlgorithm) =>
  ({ slug: 'shop', tokens: { algorithm: alg, issuer: 'gatehouse', accessTtl: TTL } }) as unknown as AppConfig;

const claims = (over: Record<string, unknown> = {}) => {
  const c: Record<string, unknown> = {
    iss: 'gatehouse',
    aud: 'shop',
    sub: 'u1',
    sid: 's1',
    jti: 'j1',
    iat: NOW - 10,
    exp: NOW + TTL - 10,
    roles: ['user'],
    ...over,
  };
  for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
  return c;
};

/** A token signed with `k` over exactly the given header and payload text. */
async function signed(k: Keys, header: Record<string, unknown>, payload: string): Promise<string> {
  const input = `${b64(header)}.${b64(payload)}`;
  const algo =
    k.alg === 'EdDSA'
      ? { name: 'Ed25519' }
      : k.alg === 'ES256'
        ? { name: 'ECDSA', hash: 'SHA-256' }
        : k.alg === 'RS256'
          ? { name: 'RSASSA-PKCS1-v1_5' }
          : { name: 'HMAC' };
  const sig = await crypto.subtle.sign(algo, k.sign, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(sig).toString('base64url')}`;
}

async function corpus(k: Keys, other: Keys): Promise<[string, string][]> {
  const h = { alg: k.alg, kid: KID, typ: 'at+jwt' };
  const p = (over?: Record<string, unknown>) => JSON.stringify(claims(over));
  const valid = await signed(k, h, p());
  const [vh, vp, vs] = valid.split('.') as [string, string, string];
  const out: [string, string][] = [
    ['valid', valid],
    ['jose-signed', await new SignJWT(claims()).setProtectedHeader(h).sign(k.sign)],
    ['typ upper case', await signed(k, { ...h, typ: 'AT+JWT' }, p())],
    ['typ application/at+jwt', await signed(k, { ...h, typ: 'application/at+jwt' }, p())],
    ['typ JWT', await signed(k, { ...h, typ: 'JWT' }, p())],
    ['typ missing', await signed(k, { alg: k.alg, kid: KID }, p())],
    ['typ number', await signed(k, { ...h, typ: 1 }, p())],
    ['alg none', `${b64({ ...h, alg: 'none' })}.${vp}.`],
    ['alg other', await signed(other, { ...h, alg: other.alg }, p())],
    ['alg lower case', await signed(k, { ...h, alg: k.alg.toLowerCase() }, p())],
    ['jku', await signed(k, { ...h, jku: 'https://evil.example/jwks' }, p())],
    ['crit', await signed(k, { ...h, crit: ['exp'] }, p())],
    ['b64 false', await signed(k, { ...h, b64: false, crit: ['b64'] }, p())],
    ['kid missing', await signed(k, { alg: k.alg, typ: 'at+jwt' }, p())],
    ['kid unknown', await signed(k, { ...h, kid: 'kid-2' }, p())],
    ['kid hostile', await signed(k, { ...h, kid: '../../etc/passwd' }, p())],
    ['kid number', await signed(k, { ...h, kid: 7 }, p())],
    ['header array', await signed(k, [h] as unknown as Record<string, unknown>, p())],
    ['signed by another key of the alg', await signed(await keysFor(k.alg), h, p())],
    ['payload changed', `${vh}.${b64(p({ sub: 'admin' }))}.${vs}`],
    ['signature truncated', `${vh}.${vp}.${vs.slice(0, -4)}`],
    ['signature zeroed', `${vh}.${vp}.${b64(Buffer.alloc(Buffer.from(vs, 'base64url').length).toString('latin1'))}`],
    ['signature of the header only', `${vh}.${vp}.${vs.slice(0, 10)}`],
    ['payload array', await signed(k, h, JSON.stringify([claims()]))],
    ['payload string', await signed(k, h, JSON.stringify('x'))],
    ['payload not JSON', await signed(k, h, '{nope')],
    ['payload invalid UTF-8', `${b64(h)}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.${vs}`],
    ['five parts', `${valid}.x.y`],
    ['padding', `${valid}=`],
    ['too long', await signed(k, h, p({ pad: 'x'.repeat(5000) }))],
  ];
  const claimCases: [string, Record<string, unknown>][] = [
    ['exp just within leeway', { exp: NOW - 4 }],
    ['exp at leeway', { exp: NOW - 5 }],
    ['exp past', { exp: NOW - 100 }],
    ['exp string', { exp: String(NOW + 100) }],
    ['exp null', { exp: null }],
    ['exp missing', { exp: undefined }],
    ['iat future within leeway', { iat: NOW + 5 }],
    ['iat future', { iat: NOW + 6 }],
    ['iat old within leeway', { iat: NOW - TTL - 5 }],
    ['iat too old', { iat: NOW - TTL - 6 }],
    ['iat missing', { iat: undefined }],
    ['iat string', { iat: 'yesterday' }],
    ['nbf future within leeway', { nbf: NOW + 5 }],
    ['nbf future', { nbf: NOW + 6 }],
    ['nbf past', { nbf: NOW - 6 }],
    ['nbf string', { nbf: 'now' }],
    ['nbf null', { nbf: null }],
    ['iss other', { iss: 'evil' }],
    ['iss missing', { iss: undefined }],
    ['iss array', { iss: ['gatehouse'] }],
    ['aud other', { aud: 'admin' }],
    ['aud missing', { aud: undefined }],
    ['aud array with app', { aud: ['shop', 'x'] }],
    ['aud array without app', { aud: ['x'] }],
    ['sub missing', { sub: undefined }],
    ['sub empty', { sub: '' }],
    ['sub number', { sub: 1 }],
    ['sid missing', { sid: undefined }],
    ['jti missing', { jti: undefined }],
    ['jti empty', { jti: '' }],
    ['roles missing', { roles: undefined }],
    ['roles not strings', { roles: [1] }],
    ['roles string', { roles: 'admin' }],
    ['fractional times', { iat: NOW - 10.5, exp: NOW + 100.5 }],
  ];
  for (const [name, over] of claimCases) out.push([name, await signed(k, h, p(over))]);
  return out;
}

describe('local verification (node:crypto) agrees with jose', () => {
  for (const alg of ['EdDSA', 'ES256', 'RS256', 'HS256'] as const) {
    it(`${alg}: same verdict and same claims on ${alg} tokens, valid and forged`, async () => {
      const k = await keysFor(alg);
      const other = await keysFor(alg === 'HS256' ? 'EdDSA' : 'HS256');
      const joseKey = async (kid: string) => (kid === KID ? k.crypto : undefined);
      const jose = verifyPlan(app(alg), joseKey);
      const local = localVerifyPlan(app(alg), (kid) => (kid === KID ? k.object : undefined));
      const asyncLocal = localVerifyPlan(app(alg), async (kid) => (kid === KID ? k.object : undefined));
      let accepted = 0;
      for (const [name, token] of await corpus(k, other)) {
        for (const dt of [0, 3, 7]) {
          const at = (NOW + dt) * 1000 + 400;
          const expected = await verifyAccessToken(token, jose, new Date(at));
          assert.deepEqual(await verifyOwnToken(token, local, at), expected, `${name} at +${dt}s`);
          assert.deepEqual(await verifyOwnToken(token, asyncLocal, at), expected, `${name} (key after a reload)`);
          if (expected) accepted++;
        }
      }
      const valid = await verifyOwnToken((await corpus(k, other))[0]![1], local, NOW * 1000);
      assert.ok(valid && valid.userId === 'u1' && Object.isFrozen(valid), 'the valid token passes');
      assert.ok(accepted > 10, `some cases accepted (${accepted})`);
    });
  }
});
