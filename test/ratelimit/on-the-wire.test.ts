import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommandStartedEvent, Document } from 'mongodb';
import type { AppConfig } from '../../src/config/index.js';
import { createRateLimiter, RATE_LIMITS_COLLECTION, type RateLimiter } from '../../src/ratelimit/index.js';
import { coreDeps, type TestDeps } from '../helpers/deps.js';
import { testManifest } from '../helpers/manifest.js';
import { recordingDeps } from '../tokens/commands.js';

const manifest = testManifest({
  rate_limits: {
    login: { max_attempts: 3, window_seconds: 900, max_lockout_seconds: 60 },
    login_ip: { max_attempts: 20, window_seconds: 60 },
  },
});

/** rate_limits commands as `insert` or `<command> <filter keys>`. */
function shape(e: CommandStartedEvent): string | null {
  const c = e.command;
  if (c[e.commandName] !== RATE_LIMITS_COLLECTION) return null;
  if (e.commandName === 'insert') return 'insert';
  const filter: Document = e.commandName === 'find' ? c.filter : (c.query ?? c.filter ?? {});
  return `${e.commandName} ${Object.keys(filter).join(',')}`;
}

/**
 * FerretDB v1's SQLite backend answers every query with a full scan (even by _id); only an insert's
 * unique check uses an index. Logins slowed as rate-limit documents piled up, so the limiter's
 * common paths are inserts only, and it reads only where it cannot know.
 */
describe('rate limiting on the wire', () => {
  let deps: TestDeps;
  let app: AppConfig;
  let wire: Awaited<ReturnType<typeof recordingDeps>>;
  let monitored: RateLimiter;
  let other: RateLimiter;

  before(async () => {
    deps = await coreDeps({ manifest });
    app = deps.manifest.apps[0]!;
    wire = await recordingDeps(deps);
    monitored = createRateLimiter(wire.deps);
    other = createRateLimiter(deps);
    await Promise.all([monitored.start(), other.start()]);
  });
  after(async () => {
    monitored.stop();
    other.stop();
    await wire.close();
    await deps.close();
  });

  const ops = () =>
    wire.commands
      .splice(0)
      .map(shape)
      .filter((t) => t !== null);

  it('a login of an account this instance knows is two inserts, no read', async () => {
    ops();
    const who = 'known@example.com';
    assert.ok((await monitored.beginLogin(app, who)).allowed);
    await monitored.endLogin(app, who, true);
    assert.deepEqual(ops(), ['find key', 'insert', 'insert'], 'first sight: one lookup');
    for (let i = 0; i < 3; i++) {
      assert.ok((await monitored.beginLogin(app, who)).allowed);
      await monitored.endLogin(app, who, i !== 1);
    }
    assert.deepEqual(ops(), Array(6).fill('insert'));
  });

  it('IP windows: one insert per request, no count; a full window is refused from memory', async () => {
    ops();
    for (let i = 0; i < 20; i++) assert.ok((await monitored.hitIp(app, 'login', '192.0.2.46')).allowed);
    assert.deepEqual(ops(), Array(20).fill('insert'));
    assert.equal((await monitored.hitIp(app, 'login', '192.0.2.46')).allowed, false);
    assert.deepEqual(ops(), [], 'nothing sent');
  });

  it('parallel requests of one instance from one IP take different slots: no refused insert', async () => {
    ops();
    const results = await Promise.all(Array.from({ length: 20 }, () => monitored.hitIp(app, 'login', '192.0.2.48')));
    assert.ok(results.every((r) => r.allowed));
    assert.deepEqual(ops(), Array(20).fill('insert'), 'each request one insert, none refused');
    const logins = await Promise.all(
      Array.from({ length: 8 }, (_, i) => monitored.reserveLogin(app, '192.0.2.49', `parallel-${i}@example.com`)),
    );
    assert.ok(logins.every((r) => r.by === null));
    assert.equal(ops().filter((o) => o === 'insert').length, 8, 'one insert (slot + account version) each');
  });

  it('a window filled by another instance costs each refused slot once, then nothing', async () => {
    for (let i = 0; i < 15; i++) await other.hitIp(app, 'login', '192.0.2.47');
    ops();
    for (let i = 0; i < 5; i++) assert.ok((await monitored.hitIp(app, 'login', '192.0.2.47')).allowed);
    assert.deepEqual(ops(), Array(20).fill('insert'), '15 refused inserts stepping over the taken slots, 5 claims');
    assert.equal((await monitored.hitIp(app, 'login', '192.0.2.47')).allowed, false);
    assert.equal((await other.hitIp(app, 'login', '192.0.2.47')).allowed, false);
    assert.deepEqual(ops(), []);
  });

  it("what another instance changed since wins over this instance's memory", async () => {
    const who = 'stale@example.com';
    assert.ok((await monitored.beginLogin(app, who)).allowed);
    await monitored.endLogin(app, who, false);
    for (let i = 0; i < 2; i++) {
      assert.ok((await other.beginLogin(app, who)).allowed);
      await other.endLogin(app, who, false);
    }
    ops();
    const locked = await monitored.beginLogin(app, who);
    assert.equal(locked.allowed, false, 'locked by failures counted elsewhere');
    assert.deepEqual(ops(), ['insert', 'find key'], 'its insert of v+1 was refused, so it looked again');
    assert.equal((await monitored.beginLogin(app, who)).allowed, false);
    assert.deepEqual(ops(), ['find _id'], 'a denial from memory checks there is no newer version');
  });
});
