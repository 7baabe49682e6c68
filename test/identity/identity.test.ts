import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import argon2 from 'argon2';
import {
  ARGON2_PARAMS,
  BusyError,
  createIdentityService,
  createPasswordHasher,
  type IdentityService,
  InputError,
} from '../../src/identity/index.js';
import { Semaphore } from '../../src/identity/semaphore.js';
import type { UserDoc } from '../../src/identity/user-store.js';
import { coreDeps, type TestDeps } from '../helpers/deps.js';
import { testManifest } from '../helpers/manifest.js';
import { countDocuments, findSecrets } from './db-scan.js';

const PASSWORD = 'Orchid-Lantern-Quarry-71';
const DEMO_PASSWORD = 'demo'; // weak on purpose: the manifest's word is accepted for demo users

const isInput = (field: string, reason?: string) => (err: unknown) =>
  err instanceof InputError && err.field === field && (!reason || err.reasons.includes(reason));

/** The parameters and salt of a PHC string `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (any parameter order). */
function phcParams(hash: string) {
  const [, alg, version, params, salt, digest] = hash.split('$');
  assert.equal(alg, 'argon2id');
  assert.equal(version, 'v=19');
  assert.ok(salt && digest);
  const p = Object.fromEntries(params!.split(',').map((kv) => kv.split('=') as [string, string]));
  return { m: Number(p.m), t: Number(p.t), p: Number(p.p), salt };
}

describe('identity service', () => {
  let deps: TestDeps;
  let identity: IdentityService;
  const hasher = createPasswordHasher();
  const app = () => deps.manifest.apps[0]!;
  const users = () => deps.database.db.collection<UserDoc>('users');

  before(async () => {
    deps = await coreDeps({
      manifest: testManifest({
        users: {
          allow_registration: true,
          demo_users: [
            { email: 'Demo@Example.com', password: DEMO_PASSWORD, roles: ['admin'] },
            { email: 'viewer@example.com', password: 'Viewer-Demo-Pass-93', role: 'viewer' },
          ],
        },
      }),
    });
    identity = createIdentityService(deps, { hasher });
    await identity.start();
  });
  after(() => deps.close());

  it('registers, then logs in with the right password only', async () => {
    const user = await identity.register(app(), { email: 'Alice@Example.COM', password: PASSWORD });
    assert.equal(user.email, 'alice@example.com');
    assert.equal(user.kind, 'PASSWORD');
    assert.equal(user.lastLoginAt, null);
    const ok = await identity.authenticate(app(), { email: ' alice@example.com', password: PASSWORD });
    assert.equal(ok?.id, user.id);
    assert.ok(ok?.lastLoginAt instanceof Date);
    assert.equal(await identity.authenticate(app(), { email: 'alice@example.com', password: `${PASSWORD}x` }), null);
    assert.equal(
      await identity.authenticate(app(), { email: 'alice@example.com', password: PASSWORD.slice(0, -1) }),
      null,
    );
    assert.equal(await identity.authenticate(app(), { email: 'nobody@example.com', password: PASSWORD }), null);
    assert.equal(await identity.authenticate(app(), { email: 'alice@example.com', password: '' }), null);
    assert.equal((await identity.findByEmail(app().slug, 'ALICE@example.com'))?.id, user.id);
    assert.equal((await identity.findById(app().slug, user.id))?.email, 'alice@example.com');
    assert.equal(await identity.findById('other-app', user.id), null, 'users are scoped to their app');
    assert.equal(await identity.findByEmail(app().slug, 'not an email'), null);
  });

  it('stores argon2id at or above the OWASP floor, salted per user', async () => {
    const a = await identity.register(app(), { email: 'salt1@example.com', password: PASSWORD });
    const b = await identity.register(app(), { email: 'salt2@example.com', password: PASSWORD });
    const [ha, hb] = await Promise.all([a, b].map(async (u) => (await users().findOne({ _id: u.id }))!.passwordHash!));
    const pa = phcParams(ha!);
    assert.ok(pa.m >= 19_456 && pa.t >= 2 && pa.p >= 1, ha);
    assert.deepEqual({ m: pa.m, t: pa.t, p: pa.p }, { m: ARGON2_PARAMS.memoryCost, t: ARGON2_PARAMS.timeCost, p: 1 });
    assert.notEqual(pa.salt, phcParams(hb!).salt);
    assert.notEqual(ha, hb);
  });

  it('NFC and NFD spellings of a password log in interchangeably', async () => {
    const nfc = 'Caf\u00e9-Orbit-Lantern-58';
    const nfd = 'Cafe\u0301-Orbit-Lantern-58';
    const u = await identity.register(app(), { email: 'nfc@example.com', password: nfc });
    assert.equal((await identity.authenticate(app(), { email: 'nfc@example.com', password: nfd }))?.id, u.id);
    const v = await identity.register(app(), { email: 'nfd@example.com', password: nfd });
    assert.equal((await identity.authenticate(app(), { email: 'nfd@example.com', password: nfc }))?.id, v.id);
  });

  it('refuses bad input with the contract field names and reasons', async () => {
    await assert.rejects(
      identity.register(app(), { email: 'm\u0131ke@example.com', password: PASSWORD }),
      isInput('email'),
    );
    await assert.rejects(
      identity.register(app(), { email: 'weak@example.com', password: 'password123' }),
      isInput('password', 'COMMON'),
    );
    await assert.rejects(
      identity.register(app(), { email: 'short@example.com', password: 'Ab1!x' }),
      isInput('password', 'TOO_SHORT'),
    );
    await assert.rejects(
      identity.authenticate(app(), { email: 'bad@@example.com', password: PASSWORD }),
      isInput('email'),
    );
    await assert.rejects(identity.anonymous(app(), 'has space'), isInput('deviceId'));
    await assert.rejects(identity.anonymous(app(), 'x'.repeat(129)), isInput('deviceId'));
    await assert.rejects(identity.anonymous(app(), ''), isInput('deviceId'));
    await assert.rejects(
      identity.createUser(app(), { email: 'a@example.com', password: PASSWORD, kind: 'ANONYMOUS' }),
      isInput('kind'),
    );
    assert.equal(await users().countDocuments({ email: { $in: ['weak@example.com', 'short@example.com'] } }), 0);
  });

  it('never hands an oversize password to argon2', async () => {
    const u = await identity.register(app(), { email: 'big@example.com', password: PASSWORD });
    const before = hasher.stats();
    const huge = 'A'.repeat(1_000_000);
    const started = performance.now();
    await assert.rejects(
      identity.authenticate(app(), { email: 'big@example.com', password: huge }),
      isInput('password', 'TOO_LONG'),
    );
    await assert.rejects(
      identity.authenticate(app(), { email: 'big@example.com', password: 'é'.repeat(600) }),
      isInput('password', 'TOO_LONG'),
    );
    await assert.rejects(
      identity.register(app(), { email: 'big2@example.com', password: huge }),
      isInput('password', 'TOO_LONG'),
    );
    await assert.rejects(identity.changePassword(app(), u.id, PASSWORD, huge), isInput('newPassword', 'TOO_LONG'));
    assert.equal(await identity.changePassword(app(), u.id, huge, 'Fresh-Granite-Meadow-44'), false);
    const ms = performance.now() - started;
    assert.deepEqual(hasher.stats(), before, 'argon2 was called');
    assert.ok(ms < 250, `${ms} ms for five refusals`);
  });

  it('20 parallel registrations of one email make exactly one user', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        identity.register(app(), { email: i % 2 ? 'race@example.com' : 'RACE@Example.com', password: PASSWORD }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 1);
    assert.equal(refused.length, 19);
    for (const r of refused) {
      assert.ok(isInput('email')(r.reason), String(r.reason));
      assert.equal(r.reason.message, 'Email already registered');
      assert.doesNotMatch(r.reason.message, /E11000|duplicate|index/);
    }
    assert.equal(await users().countDocuments({ app: app().slug, email: 'race@example.com' }), 1);
  });

  it('anonymous users: one per (app, device), also under a race', async () => {
    const a = await identity.anonymous(app(), 'device-1:abc');
    assert.equal(a.kind, 'ANONYMOUS');
    assert.equal(a.email, null);
    assert.equal(a.deviceId, 'device-1:abc');
    assert.equal((await identity.anonymous(app(), 'device-1:abc')).id, a.id);
    assert.notEqual((await identity.anonymous(app(), 'device-2')).id, a.id);
    const raced = await Promise.all(Array.from({ length: 10 }, () => identity.anonymous(app(), 'device-race')));
    assert.equal(new Set(raced.map((u) => u.id)).size, 1);
    assert.equal(await users().countDocuments({ app: app().slug, deviceId: 'device-race' }), 1);
    const doc = await users().findOne({ _id: a.id });
    assert.deepEqual([doc?.app, doc?.emailKey, doc?.passwordHash ?? null], [app().slug, 'device:device-1:abc', null]);
  });

  it('an anonymous-only account never logs in with a password, at the cost of one verification', async () => {
    const before = hasher.stats();
    // A device id is never an email: nothing with emailKey "email:…" exists for it.
    assert.equal(await identity.authenticate(app(), { email: 'device-1@abc.com', password: PASSWORD }), null);
    assert.equal(hasher.stats().dummyVerifies, before.dummyVerifies + 1);
  });

  it('seeds demo users idempotently, accepting the manifest password', async () => {
    const first = await identity.seedDemoUsers(app());
    const second = await identity.seedDemoUsers(app());
    assert.deepEqual(
      first.map((u) => [u.email, u.kind]),
      [
        ['demo@example.com', 'DEMO'],
        ['viewer@example.com', 'DEMO'],
      ],
    );
    assert.deepEqual(
      second.map((u) => u.id),
      first.map((u) => u.id),
    );
    assert.equal(await users().countDocuments({ app: app().slug, kind: 'DEMO' }), 2);
    assert.equal(
      (await identity.authenticate(app(), { email: 'demo@example.com', password: DEMO_PASSWORD }))?.id,
      first[0]!.id,
    );
  });

  it('upgrades an old hash on a successful login only', async () => {
    const u = await identity.register(app(), { email: 'legacy@example.com', password: PASSWORD });
    const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await users().updateOne({ _id: u.id }, { $set: { passwordHash: weak } });
    assert.equal(
      await identity.authenticate(app(), { email: 'legacy@example.com', password: 'Wrong-Guess-000' }),
      null,
    );
    assert.equal((await users().findOne({ _id: u.id }))?.passwordHash, weak, 'a failed login rewrote the hash');
    assert.equal((await identity.authenticate(app(), { email: 'legacy@example.com', password: PASSWORD }))?.id, u.id);
    const upgraded = (await users().findOne({ _id: u.id }))!.passwordHash!;
    assert.notEqual(upgraded, weak);
    const p = phcParams(upgraded);
    assert.deepEqual([p.m, p.t, p.p], [ARGON2_PARAMS.memoryCost, ARGON2_PARAMS.timeCost, ARGON2_PARAMS.parallelism]);
    assert.equal((await identity.authenticate(app(), { email: 'legacy@example.com', password: PASSWORD }))?.id, u.id);
  });

  it('prepareLogin: a failure names the account and writes nothing; a success writes lastLoginAt and the upgrade only when recorded', async () => {
    const u = await identity.register(app(), { email: 'twostep@example.com', password: PASSWORD });
    const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await users().updateOne({ _id: u.id }, { $set: { passwordHash: weak } });
    const wrong = await identity
      .prepareLogin(app(), { email: 'twostep@example.com', password: 'Wrong-Guess-000' })
      .verify();
    assert.deepEqual(wrong, { ok: false, accountId: u.id });
    const unknown = await identity.prepareLogin(app(), { email: 'nobody-2@example.com', password: PASSWORD }).verify();
    assert.deepEqual(unknown, { ok: false, accountId: null });
    const right = await identity.prepareLogin(app(), { email: 'twostep@example.com', password: PASSWORD }).verify();
    assert.ok(right.ok);
    assert.ok(right.user.lastLoginAt instanceof Date);
    const before = (await users().findOne({ _id: u.id }))!;
    assert.deepEqual([before.passwordHash, before.lastLoginAt], [weak, null], 'nothing written before record()');
    await right.record();
    const after = (await users().findOne({ _id: u.id }))!;
    assert.notEqual(after.passwordHash, weak);
    assert.equal(after.lastLoginAt?.getTime(), right.user.lastLoginAt.getTime());
    assert.equal((await identity.authenticate(app(), { email: 'twostep@example.com', password: PASSWORD }))?.id, u.id);
  });

  it('changes a password: wrong current → false, weak next → newPassword, then only the new one works', async () => {
    const u = await identity.register(app(), { email: 'change@example.com', password: PASSWORD });
    const next = 'Velvet-Harbor-Comet-62';
    assert.equal(await identity.changePassword(app(), u.id, 'Not-The-Password-1', next), false);
    await assert.rejects(identity.changePassword(app(), u.id, PASSWORD, 'qwertyuiop'), isInput('newPassword'));
    assert.equal(await identity.changePassword(app(), 'no-such-user', PASSWORD, next), false);
    assert.equal(await identity.changePassword(app(), u.id, PASSWORD, next), true);
    assert.equal(await identity.authenticate(app(), { email: 'change@example.com', password: PASSWORD }), null);
    assert.equal((await identity.authenticate(app(), { email: 'change@example.com', password: next }))?.id, u.id);
    const anon = await identity.anonymous(app(), 'anon-change');
    assert.equal(await identity.changePassword(app(), anon.id, '', next), false);
  });

  it('createUser (CLI) applies the password policy', async () => {
    const u = await identity.createUser(app(), { email: 'cli@example.com', password: PASSWORD });
    assert.equal(u.kind, 'PASSWORD');
    await assert.rejects(
      identity.createUser(app(), { email: 'cli2@example.com', password: '12345678' }),
      isInput('password'),
    );
    await assert.rejects(
      identity.createUser(app(), { email: 'cli@example.com', password: PASSWORD }),
      isInput('email'),
    );
  });

  it('the database never holds a password in clear', async () => {
    const secrets = [PASSWORD, 'Velvet-Harbor-Comet-62', 'Viewer-Demo-Pass-93', 'Caf\u00e9-Orbit-Lantern-58'];
    assert.ok((await countDocuments(deps.database.db)) > 10);
    assert.deepEqual(await findSecrets(deps.database.db, secrets), []);
  });
});

describe('argon2 semaphore', () => {
  it('caps concurrent work and fails fast when the wait is too long or the queue full', async () => {
    const gate = new Semaphore({ concurrency: 2, maxWaitMs: 100, maxQueue: 3 });
    let running = 0;
    let peak = 0;
    const job = (ms: number) =>
      gate.run(async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, ms));
        running--;
        return ms;
      });
    assert.deepEqual(await Promise.all([job(20), job(20), job(20), job(20)]), [20, 20, 20, 20]);
    assert.equal(peak, 2);
    const slow = [job(300), job(300)];
    const queued = [job(1), job(1), job(1)];
    await assert.rejects(job(1), BusyError); // queue full
    for (const q of queued) await assert.rejects(q, BusyError); // waited past maxWaitMs
    await Promise.all(slow);
    assert.equal(gate.active, 0);
    assert.equal(gate.waiting, 0);
  });

  it('bounds real argon2 concurrency in the hasher', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxWaitMs: 10_000 });
    const hashes = await Promise.all([hasher.hash('a-first-password'), hasher.hash('a-second-password')]);
    assert.equal(hasher.stats().hashes, 2);
    assert.ok(await hasher.verify(hashes[0]!, 'a-first-password'));
    assert.equal(await hasher.verify('not-a-phc-string', 'x'), false);
  });
});
