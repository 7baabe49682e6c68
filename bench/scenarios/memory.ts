import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { connectDatabase } from '../../src/db/index.js';
import { projectRoot } from '../../src/paths.js';
import type { BenchContext } from '../context.js';
import { runJsonChild } from '../lib/child.js';
import { ALL_CPUS } from '../lib/cpu.js';
import { atMost, type Row, row } from '../report/rows.js';
import { dropWorld, prepareBigWorld } from '../world/big.js';
import { MAIN_APP } from '../world/manifest.js';
import type { WorldAddress } from '../world/world.js';

const SCENARIO = '9. Memory';
const REVOKED = 100_000;

interface MemoryReport {
  revoked: number;
  pollMs: number;
  staleAfterMs: number;
  fresh: boolean;
  rssStartMb: number;
  heapStartMb: number;
  rssMb: number;
  heapMb: number;
  rssAfterMoreMb: number;
  heapAfterMoreMb: number;
}

/** 100,000 revocations as logouts publish them (the feed's collection), unexpired for an hour. */
async function publishRevocations(at: WorldAddress): Promise<void> {
  const database = await connectDatabase(at.uri, at.dbName);
  try {
    const now = Date.now();
    const coll = database.db.collection('revocations');
    for (let i = 0; i < REVOKED; i += 10_000) {
      await coll.insertMany(
        Array.from({ length: 10_000 }, (_, k) => ({
          app: MAIN_APP,
          sid: `mem-${i + k}-${randomBytes(4).toString('hex')}`,
          reason: 'logout',
          at: new Date(now),
          expiresAt: new Date(now + 3_600_000),
        })),
        { ordered: false },
      );
    }
  } finally {
    await database.close();
  }
}

/**
 * Scenario 9: RSS of one instance of the big world's main app holding 100,000 revocations and
 * 10,000 cached tokens (a child process of its own). Plus what a burst of logins leaves behind:
 * argon2 (19 MiB per hash) runs on libuv's threads, and glibc's per-thread arenas keep each
 * thread's peak, with and without MALLOC_ARENA_MAX.
 */
export async function memoryScenario(ctx: BenchContext): Promise<Row[]> {
  // A world of its own: 100,000 revocations would slow every other instance's feed polls.
  const at = await prepareBigWorld(ctx.dbUri, [MAIN_APP]);
  try {
    return await measureIn(at);
  } finally {
    if (ctx.dbKind === 'external') await dropWorld(at).catch(() => {});
  }
}

async function measureIn(at: WorldAddress): Promise<Row[]> {
  await publishRevocations(at);
  const script = join(projectRoot(), 'dist', 'bench', 'memory-child.js');
  const measure = (env: Record<string, string>) =>
    runJsonChild<MemoryReport>(
      ALL_CPUS,
      process.execPath,
      ['--expose-gc', script],
      { ...process.env, ...env, BENCH_WORLD: JSON.stringify(at), BENCH_REVOKED: String(REVOKED) },
      180_000,
    );
  const shipped = await measure({});
  const arena = (env: Record<string, string>) =>
    runJsonChild<{ retainedMb: number }>(
      ALL_CPUS,
      process.execPath,
      ['--expose-gc', join(projectRoot(), 'dist', 'bench', 'argon2-rss-child.js')],
      { ...process.env, ...env },
      60_000,
    );
  const [arenas, capped] = [await arena({}), await arena({ MALLOC_ARENA_MAX: '2' })];
  const mb = (n: number) => Math.round(n * 10) / 10;
  const label = `RSS with ${shipped.revoked.toLocaleString('en')} revocations and 10,000 cached tokens`;
  return [
    row(
      SCENARIO,
      'revocation feed poll, 100,000 entries written within its 5 s overlap',
      Math.round(shipped.pollMs),
      'ms',
      undefined,
      `feed ${shipped.fresh ? 'fresh' : 'STALE'} after the poll (stale after ${shipped.staleAfterMs} ms: protected fields then answer SERVICE_UNAVAILABLE)`,
    ),
    row(
      SCENARIO,
      'RSS after start, 100,000 revocations loaded',
      mb(shipped.rssStartMb),
      'MB',
      undefined,
      `heap ${mb(shipped.heapStartMb)} MB`,
    ),
    row(SCENARIO, label, mb(shipped.rssMb), 'MB', atMost(200), `heap ${mb(shipped.heapMb)} MB`),
    row(
      SCENARIO,
      'RSS kept after 3 × 3 concurrent argon2id verifications',
      mb(arenas.retainedMb),
      'MB',
      undefined,
      `with MALLOC_ARENA_MAX=2: ${mb(capped.retainedMb)} MB (glibc keeps each libuv thread's 19 MiB peak)`,
    ),
    row(
      SCENARIO,
      'heap growth after 10,000 more tokens and 10,000 more users',
      mb(shipped.heapAfterMoreMb - shipped.heapMb),
      'MB',
      undefined,
      `RSS ${mb(shipped.rssAfterMoreMb - shipped.rssMb)} MB. Token cache: LRU 10,000; permission memo: LRU 10,000 users × 256 checks; revocation set: bounded by entry expiry (token TTL + 60 s), not by count`,
    ),
  ];
}
