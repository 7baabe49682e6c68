import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from 'mongodb';
import { RelMeDocument } from '../../generated/graphql.js';
import { latencySummary } from './checks.js';
import { startCluster } from './cluster.js';
import { note } from './flags.js';
import { Fleet, type Mix, type OpKind } from './fleet.js';
import { call } from './http.js';
import { APP, reliabilityManifest } from './manifest.js';
import { reconcileSessions } from './sessions.js';
import { liveHeapMb, percentile, RssSampler, round, until, watchUnhandled } from './wait.js';

export const SOAK_MIX: Mix = { me: 25, can: 20, refresh: 25, sessions: 6, login: 12, logout: 12 };

export interface SoakOptions {
  durationMs: number;
  /** Requests per second over the whole cluster. */
  rate: number;
  users: number;
  /** Allowed RSS growth, first third → last third of the run (medians), in MB. */
  rssGrowthMb: number;
  /** Allowed growth of the live heap (after full GCs) from the warm-up point to the end, in MB. */
  liveHeapGrowthMb: number;
  label: string;
}

/**
 * Mixed load over 3 instances at a steady rate, then a reconciliation of the database against
 * what the clients were told: zero 5xx, zero lost or orphan sessions, memory flat.
 */
/** Median latency of some kinds per 10-s window of the run: shows whether the service degrades. */
function windows(fleet: Fleet, t0: number, kinds: OpKind[]): string {
  const last = Math.max(...fleet.records.map((r) => r.sentAt));
  const out: string[] = [];
  for (let w = t0; w + 1000 < last; w += 10_000) {
    const inWindow = fleet.records.filter((r) => r.sentAt >= w && r.sentAt < w + 10_000);
    out.push(
      kinds
        .map(
          (k) =>
            `${k} ${round(
              percentile(
                inWindow.filter((r) => r.kind === k).map((r) => r.ms),
                50,
              ),
            )}`,
        )
        .join('/'),
    );
  }
  return out.join(' | ');
}

/** Times a one-document insert every 250 ms: separates the database's own latency from Gatehouse's. */
function probeDatabase(db: Db) {
  const samples: { at: number; ms: number }[] = [];
  const t0 = performance.now();
  let running = true;
  const loop = (async () => {
    const coll = db.collection('soak_probe');
    while (running) {
      const at = performance.now();
      await coll.insertOne({ at: new Date() }).catch(() => {});
      samples.push({ at, ms: performance.now() - at });
      await sleep(250);
    }
  })();
  return {
    async stop(): Promise<number[]> {
      running = false;
      await loop;
      const out: number[] = [];
      for (let w = t0; w < performance.now(); w += 10_000) {
        out.push(
          round(
            percentile(
              samples.filter((x) => x.at >= w && x.at < w + 10_000).map((x) => x.ms),
              50,
            ),
          ),
        );
      }
      return out;
    },
  };
}

export async function soak(opts: SoakOptions): Promise<void> {
  const cluster = await startCluster({ manifest: reliabilityManifest() });
  try {
    const urls = cluster.instances.map((g) => g.url);
    // Clients keep at most 6 sessions per user: below max_per_user (10), so nothing is evicted.
    const fleet = await Fleet.enroll({ urls, sessionsPerUser: 6 }, opts.users, 2);
    const unhandled = watchUnhandled();
    const rss = new RssSampler().start(500);
    const t0 = performance.now();
    // Live heap once the load has warmed every cache and pool, and again at the end of the run.
    let heapWarm = 0;
    const warm = setTimeout(() => {
      heapWarm = liveHeapMb();
    }, opts.durationMs / 5);
    const dbProbe = probeDatabase(cluster.db);
    const drove = await fleet.drive({ durationMs: opts.durationMs, rate: opts.rate, concurrency: 16, mix: SOAK_MIX });
    clearTimeout(warm);
    const dbLatency = await dbProbe.stop();
    const heapEnd = liveHeapMb();
    rss.stop();
    unhandled.stop();

    const mem = rss.summary();
    const byKind = Object.entries(SOAK_MIX).map(([k]) => `${k}=${fleet.records.filter((r) => r.kind === k).length}`);
    note(
      `${opts.label}: ${fleet.records.length} requests in ${drove.seconds.toFixed(1)} s (${(fleet.records.length / drove.seconds).toFixed(1)}/s; ${drove.skipped} of ${drove.ticks} ticks skipped) — ${byKind.join(' ')}`,
    );
    note(`${opts.label}: ${latencySummary(fleet)}`);
    note(`${opts.label}: p50 per 10 s window — ${windows(fleet, t0, ['login', 'refresh', 'me'])}`);
    note(`${opts.label}: one-document insert into the database, p50 per 10 s window — ${dbLatency.join(' | ')} ms`);
    note(
      `${opts.label}: RSS ${mem.firstMb} → ${mem.lastMb} MB (growth ${mem.growthMb} MB, peak ${mem.peakMb} MB); heap used ${mem.heapFirstMb} → ${mem.heapLastMb} MB; live heap after GC ${heapWarm} → ${heapEnd} MB`,
    );

    assert.deepEqual(fleet.problems, [], 'every answer right');
    const fiveXx = fleet.records.filter((r) => r.status >= 500 || r.status === 0);
    assert.equal(fiveXx.length, 0, `${fiveXx.length} answers were 5xx or missing`);
    assert.ok(
      drove.skipped <= drove.ticks * 0.1,
      `the cluster could not keep up: ${drove.skipped} of ${drove.ticks} ticks skipped`,
    );
    assert.ok(fleet.ended.length > 0 && fleet.records.some((r) => r.kind === 'login' && r.ok), 'the mix ran');

    const rec = await reconcileSessions(cluster.db, APP, fleet.userIds(), fleet.held(), fleet.ended);
    note(
      `${opts.label}: sessions — ${rec.live} live in the database, ${fleet.held().length} held by clients, ${fleet.ended.length} logged out`,
    );
    assert.deepEqual(rec.lost, [], 'lost sessions');
    assert.deepEqual(
      rec.orphans.map((o) => o._id),
      [],
      'orphan sessions',
    );
    assert.deepEqual(rec.notHead, [], 'stale heads');
    assert.deepEqual(rec.endedButLive, [], 'logged-out sessions still live');
    assert.deepEqual(rec.duplicates, [], 'duplicates');
    assert.equal(rec.live, fleet.held().length);

    // A sample of logged-out sessions: refused on every instance (the feed has long caught up).
    const ended = await cluster.db
      .collection<{ _id: string; revokeReason: string }>('sessions')
      .find({ _id: { $in: fleet.ended } })
      .toArray();
    assert.ok(ended.every((d) => d.revokeReason === 'logout'));
    assert.ok(await fleet.refreshEach(), `a held session no longer refreshes: ${fleet.problems.join('\n')}`);
    // The random mix can end with every session logged out: then one more login serves the probe.
    if (!fleet.held().length) assert.ok(await fleet.run('login'), fleet.problems.join('\n'));
    assert.ok(
      (await call(urls[0]!, RelMeDocument, {}, { token: fleet.held()[0]!.accessToken })).data?.me,
      'the cluster still serves after the soak',
    );
    const t1 = performance.now();
    for (const token of fleet.endedTokens.slice(-10)) {
      for (let i = 0; i < urls.length; i++) {
        await until(
          `a logged-out token refused on instance ${i}`,
          async () => (await call(urls[i]!, RelMeDocument, {}, { token })).code === 'UNAUTHENTICATED',
          {
            within: 2000,
            every: 50,
            since: t1,
          },
        );
      }
    }

    assert.ok(mem.growthMb <= opts.rssGrowthMb, `RSS grew ${mem.growthMb} MB (allowed ${opts.rssGrowthMb})`);
    assert.ok(
      heapEnd - heapWarm <= opts.liveHeapGrowthMb,
      `live heap grew ${heapEnd - heapWarm} MB (allowed ${opts.liveHeapGrowthMb})`,
    );
    assert.deepEqual(unhandled.list, [], 'unhandled rejections');
    note(`${opts.label}: total ${round((performance.now() - t0) / 1000)} s`);
  } finally {
    await cluster.close();
  }
}
