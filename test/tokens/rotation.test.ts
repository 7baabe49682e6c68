import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import type { AppConfig } from '../../src/config/index.js';
import { createTokenService, type TokenServiceOptions } from '../../src/tokens/index.js';
import { SIGNING_KEYS_COLLECTION } from '../../src/tokens/key-store.js';
import { coreDeps } from '../helpers/deps.js';
import { testManifest } from '../helpers/manifest.js';
import { recordingDeps } from './commands.js';
import { claims, sign, storedKeys } from './forge.js';

const ttl = 60;
const subject = { userId: 'user-1', sessionId: 'session-1', roles: ['user'] };
const kidOf = (token: string) => decodeProtectedHeader(token).kid!;

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while (!(await cond())) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}

describe('signing-key rotation', () => {
  const cleanup: (() => unknown)[] = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  async function instance(opts: { dbName?: string; manifest?: unknown; service?: TokenServiceOptions } = {}) {
    const deps = await coreDeps({ manifest: opts.manifest ?? testManifest({ tokens: { access_ttl: ttl } }), ...opts });
    const tokens = createTokenService(deps, deps.settings.tokens, opts.service);
    cleanup.push(
      () => deps.close(),
      () => tokens.stop(),
    );
    return { deps, tokens, app: deps.manifest.apps[0]! };
  }

  it('retires the old key, keeps it verifying, and signs new tokens with a new kid', async () => {
    const { deps, tokens, app } = await instance();
    await tokens.start();
    const old = await tokens.issue(app, subject);
    const rotatedAt = deps.clock.ms();
    const infos = await tokens.rotate();

    assert.equal(infos.length, 2);
    const [retiring, active] = infos;
    assert.equal(retiring!.kid, kidOf(old.token));
    assert.equal(retiring!.state, 'retiring');
    assert.equal(active!.state, 'active');
    assert.equal(active!.retireAt, null);
    // The longest access TTL, plus the 60 s pick-up bound, plus 30 s of leeway.
    const retireIn = retiring!.retireAt!.getTime() - rotatedAt;
    assert.ok(Math.abs(retireIn - (ttl + 90) * 1000) < 2000, `retires in ${retireIn} ms`);
    assert.deepEqual(await tokens.list(), infos);

    const fresh = await tokens.issue(app, subject);
    assert.equal(kidOf(fresh.token), active!.kid);
    assert.notEqual(active!.kid, retiring!.kid);
    assert.ok(await tokens.verify(old.token, app), 'a token signed before the rotation still verifies');
    assert.ok(await tokens.verify(fresh.token, app));
    assert.deepEqual(
      tokens.jwks().keys.map((k) => k.kid),
      [active!.kid, retiring!.kid],
    );
  });

  it('drops a retired key at retireAt: refused at once, then gone from the JWKS and the database', async () => {
    const { deps, tokens, app } = await instance({ service: { refreshMs: 100 } });
    await tokens.start();
    const [retiring] = await tokens.rotate();
    const oldKey = (await storedKeys(deps, 'EdDSA')).find((k) => k.kid === retiring!.kid)!;
    const header = { alg: 'EdDSA', kid: oldKey.kid, typ: 'at+jwt' };
    assert.ok(await tokens.verify(await sign(oldKey.key, header, claims(app, deps.clock)), app));

    deps.clock.offsetMs = retiring!.retireAt!.getTime() + 1000 - Date.now();
    const late = await sign(oldKey.key, header, claims(app, deps.clock));
    assert.equal(await tokens.verify(late, app), null, 'refused as soon as the clock passes retireAt');
    await until('the JWKS to drop the key', () => tokens.jwks().keys.every((k) => k.kid !== oldKey.kid));
    const coll = deps.database.db.collection(SIGNING_KEYS_COLLECTION);
    await until('the key to be purged', async () => (await coll.countDocuments({ _id: oldKey.kid as never })) === 0);
    assert.deepEqual(
      (await tokens.list()).map((k) => k.state),
      ['active'],
    );
    const fresh = await tokens.issue(app, subject);
    assert.ok(await tokens.verify(fresh.token, app));
  });

  it('reaches another running instance within its refresh period, without a restart', async () => {
    const a = await instance({ service: { refreshMs: 3_600_000 } });
    const b = await instance({ dbName: a.deps.dbName, service: { refreshMs: 250, unknownKidReloadMs: 3_600_000 } });
    await a.tokens.start();
    await b.tokens.start();
    const infos = await a.tokens.rotate();
    const newKid = infos.find((k) => k.state === 'active')!.kid;
    const ms = await until('instance B to load the new key', () => b.tokens.jwks().keys.some((k) => k.kid === newKid));
    assert.ok(ms < 3000, `${ms} ms`);

    const fromA = await a.tokens.issue(a.app, subject);
    assert.equal(kidOf(fromA.token), newKid);
    assert.ok(await b.tokens.verify(fromA.token, b.app));
    const fromB = await b.tokens.issue(b.app, subject);
    assert.equal(kidOf(fromB.token), newKid, 'B signs with the new key too');
    assert.ok(await a.tokens.verify(fromB.token, a.app));
  });

  it('reloads once, throttled, for tokens whose kid it does not know', async () => {
    const a = await instance();
    await a.tokens.start();
    const bDeps = await coreDeps({ dbName: a.deps.dbName, manifest: testManifest({ tokens: { access_ttl: ttl } }) });
    const rec = await recordingDeps(bDeps);
    const b = createTokenService(rec.deps, rec.deps.settings.tokens, {
      refreshMs: 3_600_000,
      unknownKidReloadMs: 60_000,
    });
    cleanup.push(
      () => bDeps.close(),
      () => rec.close(),
      () => b.stop(),
    );
    await b.start();
    const keyFinds = () =>
      rec.commands.filter((c) => c.commandName === 'find' && c.command.find === SIGNING_KEYS_COLLECTION).length;

    await a.tokens.rotate();
    const token = (await a.tokens.issue(a.app, subject)).token;
    rec.commands.length = 0;
    assert.equal(await b.verify(token, a.app), null, 'B loaded its keys moments ago: no reload yet');
    assert.equal(keyFinds(), 0);

    bDeps.clock.advance(61_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => b.verify(token, a.app)));
    assert.ok(results.every((r) => r !== null));
    assert.equal(keyFinds(), 1, 'concurrent verifies share one reload');

    const stranger = (await storedKeys(a.deps, 'EdDSA'))[0]!;
    const unknown = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const header = { alg: 'EdDSA', kid: randomBytes(32).toString('base64url'), typ: 'at+jwt' };
        return b.verify(await sign(stranger.key, header, claims(a.app, bDeps.clock)), a.app);
      }),
    );
    assert.ok(unknown.every((r) => r === null));
    assert.equal(keyFinds(), 1, 'a flood of unknown kids costs no more queries');
  });

  it('instances starting together on an empty database agree on one key per algorithm', async () => {
    const manifest = {
      apps: [
        { slug: 'ed', auth: { tokens: { algorithm: 'EdDSA' } } },
        { slug: 'es', auth: { tokens: { algorithm: 'ES256' } } },
        { slug: 'hs', auth: { tokens: { algorithm: 'HS256' } } },
      ],
    };
    const first = await instance({ manifest });
    const others = await Promise.all([1, 2].map(() => instance({ manifest, dbName: first.deps.dbName })));
    const all = [first, ...others];
    await Promise.all(all.map((i) => i.tokens.start()));

    for (const slug of ['ed', 'es', 'hs']) {
      const appOf = (i: (typeof all)[number]): AppConfig => i.deps.manifest.apps.find((x) => x.slug === slug)!;
      for (const signer of all) {
        const { token } = await signer.tokens.issue(appOf(signer), subject);
        for (const verifier of all) assert.ok(await verifier.tokens.verify(token, appOf(verifier)), slug);
      }
    }
    const docs = await first.deps.database.db.collection(SIGNING_KEYS_COLLECTION).find().toArray();
    assert.deepEqual(docs.map((d) => `${d.alg}:${d.state}`).sort(), ['ES256:active', 'EdDSA:active', 'HS256:active']);
  });

  it('lists and rotates without start(), as the CLI does, and rotates only the algorithm asked for', async () => {
    const manifest = {
      apps: [
        { slug: 'ed', auth: { tokens: { algorithm: 'EdDSA' } } },
        { slug: 'hs', auth: { tokens: { algorithm: 'HS256' } } },
      ],
    };
    const server = await instance({ manifest, service: { refreshMs: 100 } });
    await server.tokens.start();
    const cli = await instance({ manifest, dbName: server.deps.dbName });
    const before = await cli.tokens.list();
    assert.deepEqual(before.map((k) => `${k.alg}:${k.state}`).sort(), ['EdDSA:active', 'HS256:active']);

    const after = await cli.tokens.rotate('HS256');
    const oldHs = before.find((k) => k.alg === 'HS256')!.kid;
    const newHs = after.find((k) => k.alg === 'HS256' && k.state === 'active')!.kid;
    assert.deepEqual(after.map((k) => `${k.alg}:${k.state}`).sort(), [
      'EdDSA:active',
      'HS256:active',
      'HS256:retiring',
    ]);
    assert.equal(after.find((k) => k.kid === oldHs)!.state, 'retiring');
    assert.equal(await cli.tokens.verify('x.y.z', cli.app), null, 'a service that was not started verifies nothing');

    const hsApp = server.deps.manifest.apps[1]!;
    await until('the server to sign with the new HS256 key', async () => {
      return kidOf((await server.tokens.issue(hsApp, subject)).token) === newHs;
    });
  });

  it('heals a rotation that stopped halfway (no active key) on the next refresh', async () => {
    const { deps, tokens, app } = await instance({ service: { refreshMs: 100 } });
    await tokens.start();
    const before = await tokens.issue(app, subject);
    const coll = deps.database.db.collection(SIGNING_KEYS_COLLECTION);
    const kid = kidOf(before.token);
    const retireAt = new Date(deps.clock.ms() + 600_000);
    await coll.updateOne({ _id: kid as never }, { $set: { state: 'retiring', slot: `retired:${kid}`, retireAt } });
    await until('a new active key', async () => (await coll.countDocuments({ state: 'active' })) === 1);
    await until('the new key to sign', async () => kidOf((await tokens.issue(app, subject)).token) !== kid);
    assert.ok(await tokens.verify(before.token, app));
  });
});
