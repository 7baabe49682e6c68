import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { deriveKey, KEY_PURPOSES } from '../../src/core/index.js';
import { domainSettings } from '../../src/services.js';
import { createTokenService, type TokenService } from '../../src/tokens/index.js';
import { SIGNING_KEYS_COLLECTION, SigningKeyStore } from '../../src/tokens/key-store.js';
import { createSealer } from '../../src/tokens/sealing.js';
import { coreDeps, type TestDeps } from '../helpers/deps.js';
import { activeKey, claims, sign } from './forge.js';

const manifest = {
  apps: [
    { slug: 'ed', auth: { tokens: { algorithm: 'EdDSA' } } },
    { slug: 'es', auth: { tokens: { algorithm: 'ES256' } } },
    { slug: 'rs', auth: { tokens: { algorithm: 'RS256' } } },
    { slug: 'hs', auth: { tokens: { algorithm: 'HS256' } } },
  ],
};
const ALGS = ['EdDSA', 'ES256', 'RS256', 'HS256'] as const;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
const OTHER_SECRET = 'another-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

describe('signing keys at rest', () => {
  let deps: TestDeps;
  let tokens: TokenService;
  const coll = () => deps.database.db.collection(SIGNING_KEYS_COLLECTION);

  before(async () => {
    deps = await coreDeps({ manifest });
    tokens = createTokenService(deps, deps.settings.tokens);
    await tokens.start();
  });
  after(async () => {
    tokens.stop();
    await deps.close();
  });

  it('never stores a private key or HMAC secret in clear', async () => {
    const raw = await coll().find().toArray();
    assert.equal(raw.length, 4);
    const text = JSON.stringify(raw);
    let scanned = 0;
    for (const alg of ALGS) {
      const { privateJwk } = await activeKey(deps, alg);
      for (const m of PRIVATE_MEMBERS) {
        const value = (privateJwk as Record<string, unknown>)[m];
        if (typeof value !== 'string') continue;
        const bytes = Buffer.from(value, 'base64url');
        for (const encoding of [value, bytes.toString('base64'), bytes.toString('hex')]) {
          assert.equal(text.includes(encoding), false, `${alg}.${m} is in the database in clear`);
        }
        scanned++;
      }
    }
    assert.equal(scanned, 1 + 1 + 6 + 1, 'every private member was checked');
  });

  it('stores kid, algorithm, public key, sealed private key, state and dates', async () => {
    for (const doc of await coll().find().toArray()) {
      assert.deepEqual(Object.keys(doc.privateJwk).sort(), ['ct', 'iv', 'tag']);
      assert.equal(doc.state, 'active');
      assert.equal(doc.retireAt, null);
      assert.ok(doc.createdAt instanceof Date);
      assert.match(doc._id as unknown as string, /^[A-Za-z0-9_-]{43}$/);
      if (doc.alg === 'HS256') {
        assert.equal(doc.publicJwk, null, 'an HMAC secret has no public half');
      } else {
        for (const m of PRIVATE_MEMBERS) assert.equal(doc.publicJwk[m], undefined);
        assert.equal(doc._id, await calculateJwkThumbprint(doc.publicJwk), 'kid is the RFC 7638 thumbprint');
      }
    }
  });

  it('opens a sealed key only as the key it was sealed for, and only with the same secret', async () => {
    const store = new SigningKeyStore(deps.database.db, deps.settings.tokens.sealKey);
    const [a, b] = await store.all();
    assert.ok(store.open(a!).kty);
    assert.throws(() => store.open({ ...b!, privateJwk: a!.privateJwk }), 'a sealed key moved to another record');
    assert.throws(() => store.open({ ...a!, privateJwk: { ...a!.privateJwk, tag: a!.privateJwk.tag.slice(0, 8) } }));
    assert.throws(() =>
      new SigningKeyStore(deps.database.db, deriveKey(OTHER_SECRET, KEY_PURPOSES.signingKeys)).open(a!),
    );
  });

  it('refuses to start with a different GATEHOUSE_SECRET, and makes no keys of its own', async () => {
    const other = createTokenService(deps, domainSettings(deps.manifest, OTHER_SECRET).tokens);
    await assert.rejects(other.start(), /GATEHOUSE_SECRET/);
    other.stop();
    assert.equal(await coll().countDocuments(), 4);
  });

  it('trusts no key written into the database by someone without the secret', async () => {
    const attacker = await generateKeyPair('EdDSA', { extractable: true });
    const attackerPublic = await exportJWK(attacker.publicKey);
    const attackerKid = await calculateJwkThumbprint(attackerPublic);
    const stolen = (await coll().findOne({ alg: 'EdDSA' }))!.privateJwk;
    const foreignSealer = createSealer(deriveKey(OTHER_SECRET, KEY_PURPOSES.signingKeys));
    const planted = [
      // Sealed under another secret.
      foreignSealer.seal(JSON.stringify(await exportJWK(attacker.privateKey)), `${KEY_PURPOSES.signingKeys}|x|EdDSA`),
      // A genuine sealed key moved under the attacker's kid and public key.
      stolen,
    ];
    const app = deps.manifest.apps[0]!;
    for (const privateJwk of planted) {
      await coll().deleteOne({ _id: attackerKid as never });
      await coll().insertOne({
        _id: attackerKid as never,
        alg: 'EdDSA',
        publicJwk: attackerPublic,
        privateJwk,
        createdAt: new Date(),
        state: 'retiring',
        slot: `retired:${attackerKid}`,
        retireAt: new Date(Date.now() + 3_600_000),
      });
      const fresh = createTokenService(deps, deps.settings.tokens);
      await fresh.start();
      fresh.stop();
      assert.ok(fresh.jwks().keys.every((k) => k.kid !== attackerKid));
      const forged = await sign(
        attacker.privateKey,
        { alg: 'EdDSA', kid: attackerKid, typ: 'at+jwt' },
        claims(app, deps.clock),
      );
      assert.equal(await fresh.verify(forged, app), null);
    }
    await coll().deleteOne({ _id: attackerKid as never });

    // A genuine record whose public key was swapped for the attacker's: the sealed key decides.
    const genuine = (await coll().findOne({ alg: 'EdDSA' }))!;
    await coll().updateOne({ _id: genuine._id }, { $set: { publicJwk: attackerPublic } });
    try {
      const fresh = createTokenService(deps, deps.settings.tokens);
      await fresh.start();
      fresh.stop();
      const forged = await sign(
        attacker.privateKey,
        { alg: 'EdDSA', kid: genuine._id, typ: 'at+jwt' },
        claims(app, deps.clock),
      );
      assert.equal(await fresh.verify(forged, app), null);
      assert.deepEqual(fresh.jwks(), tokens.jwks(), 'the JWKS still publishes the genuine key');
    } finally {
      await coll().updateOne({ _id: genuine._id }, { $set: { publicJwk: genuine.publicJwk } });
    }
  });

  it('lists every key with its state', async () => {
    const list = await tokens.list();
    assert.deepEqual(list.map((k) => k.alg).sort(), [...ALGS].sort());
    for (const k of list) {
      assert.deepEqual(Object.keys(k).sort(), ['alg', 'createdAt', 'kid', 'retireAt', 'state']);
      assert.equal(k.state, 'active');
      assert.equal(k.kid, (await activeKey(deps, k.alg)).kid);
    }
  });
});
