import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { connectDatabase } from '../../src/db/index.js';
import { createRevocationFeed } from '../../src/sessions/index.js';
import { coreDeps, type TestDeps } from '../helpers/deps.js';
import { startOwnFerretDB } from '../helpers/own-db.js';

async function until(check: () => boolean, timeoutMs: number, stepMs = 10): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(stepMs);
  }
  return performance.now() - started;
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

describe('revocation feed', () => {
  const cleanup: (() => unknown)[] = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });
  const feedOn = async (deps: TestDeps, opts?: { pollMs?: number; staleAfterMs?: number }) => {
    const feed = createRevocationFeed(deps, { ...deps.settings.revocations, ...opts });
    await feed.start();
    cleanup.push(() => feed.stop());
    return feed;
  };

  it('a revocation published on instance A reaches instance B within 2 s', async () => {
    const a = await coreDeps();
    const b = await coreDeps({ dbName: a.dbName });
    cleanup.push(
      () => a.close(),
      () => b.close(),
    );
    const [feedA, feedB] = [await feedOn(a), await feedOn(b)]; // default poll: 500 ms
    const lags: number[] = [];
    for (let i = 0; i < 5; i++) {
      await sleep(Math.random() * 500); // publish at a random phase of B's polling
      const sid = `sid-cross-${i}`;
      await feedA.publish('test', [sid], 'logout');
      assert.ok(feedA.isRevoked(sid), 'the publisher knows at once');
      lags.push(await until(() => feedB.isRevoked(sid), 2000));
    }
    console.log(`revocation visible on the other instance after ${lags.map((l) => `${l.toFixed(0)} ms`).join(', ')}`);
    assert.ok(feedB.isFresh() && feedB.lagMs() < 2000);
    assert.equal(feedB.isRevoked('sid-never'), false);
    const c = await coreDeps({ dbName: a.dbName });
    cleanup.push(() => c.close());
    const feedC = await feedOn(c);
    assert.ok(feedC.isRevoked('sid-cross-0') && feedC.size() === 5, 'a starting instance loads what is unexpired');
  });

  it('forgets entries once every access token of the session has expired', async () => {
    const deps = await coreDeps();
    cleanup.push(() => deps.close());
    const feed = await feedOn(deps, { pollMs: 60_000 });
    await feed.publish('test', ['sid-old', 'sid-old', 'sid-older'], 'revoked');
    assert.equal(feed.size(), 2);
    const accessTtl = deps.manifest.apps[0]!.tokens.accessTtl;
    deps.clock.advance(accessTtl * 1000 + 30_000);
    await feed.poll();
    assert.ok(feed.isRevoked('sid-old'), 'kept while a token may still be valid (+ leeway)');
    deps.clock.advance(31_000);
    await feed.poll();
    assert.equal(feed.size(), 0);
    const fresh = createRevocationFeed(deps, deps.settings.revocations);
    await fresh.start();
    fresh.stop();
    assert.equal(fresh.isRevoked('sid-old'), false, 'expired entries are not loaded');
  });

  it('goes stale (fail closed) while the database is away, and recovers', async () => {
    const db = await startOwnFerretDB();
    cleanup.push(() => db.dispose());
    const base = await coreDeps();
    cleanup.push(() => base.close());
    const database = await connectDatabase(db.uri, 'feed_stale', { serverSelectionTimeoutMS: 500 });
    cleanup.push(() => database.close());
    const deps = { ...base, database };
    const feed = await feedOn(deps, { pollMs: 100, staleAfterMs: 1000 });
    await feed.publish('test', ['sid-kept'], 'logout');
    assert.ok(feed.isFresh());
    await db.stop();
    const staleAfter = await until(() => !feed.isFresh(), 5000, 50);
    console.log(`feed reported stale ${staleAfter.toFixed(0)} ms after the database stopped (bound 1000 ms)`);
    assert.ok(feed.lagMs() > 1000);
    assert.ok(feed.isRevoked('sid-kept'), 'what it knew is still refused');
    await assert.rejects(feed.poll());
    const cold = createRevocationFeed(deps, deps.settings.revocations);
    await assert.rejects(cold.start(), 'start() fails when the database is unreachable');
    cold.stop();
    await db.start();
    await until(() => feed.isFresh(), 10_000, 50);
  });

  it('holds 100,000 revoked sessions in little memory', async () => {
    const deps = await coreDeps();
    cleanup.push(() => deps.close());
    const feed = await feedOn(deps, { pollMs: 60_000 }); // the map alone: no poll re-reads meanwhile
    const sid = (i: number) => `${i.toString(36).padStart(8, '0')}-sid-0123456789ab`; // 22 chars, like real ids
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const rss0 = process.memoryUsage().rss;
    const started = performance.now();
    for (let i = 0; i < 100_000; i += 2000) {
      await feed.publish(
        'test',
        Array.from({ length: 2000 }, (_, j) => sid(i + j)),
        'logout',
      );
    }
    const published = performance.now() - started;
    gc();
    const heapMB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    const rssMB = (process.memoryUsage().rss - rss0) / 2 ** 20;
    assert.equal(feed.size(), 100_000);
    // (publish awaited every insert; counting 100k documents again on FerretDB, which scans, takes ~10 s)
    const t = performance.now();
    for (let i = 0; i < 100_000; i++) assert.ok(feed.isRevoked(sid(i)));
    const lookups = performance.now() - t;
    console.log(
      `100k revocations: heap +${heapMB.toFixed(1)} MiB, RSS ${rssMB >= 0 ? '+' : ''}${rssMB.toFixed(1)} MiB; ` +
        `published in ${published.toFixed(0)} ms; 100k isRevoked in ${lookups.toFixed(1)} ms`,
    );
    assert.ok(heapMB < 32, `${heapMB} MiB`);
  });
});
