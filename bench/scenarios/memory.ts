import { join } from 'node:path';
import { projectRoot } from '../../src/db/index.js';
import type { BenchContext } from '../context.js';
import { runJsonChild } from '../lib/child.js';
import { ALL_CPUS } from '../lib/cpu.js';
import { atMost, type Row, row } from '../report/rows.js';

const SCENARIO = '9. Memory';

interface MemoryReport {
  revoked: number;
  rssStartMb: number;
  rssMb: number;
  heapMb: number;
  rssAfterMoreTokensMb: number;
  rssAfterMoreUsersMb: number;
}

/** Scenario 9: RSS of an instance of the big world holding 100,000 revocations and 10,000 cached tokens. */
export async function memoryScenario(ctx: BenchContext): Promise<Row[]> {
  const { at } = await ctx.big();
  const script = join(projectRoot(), 'dist', 'bench', 'memory-child.js');
  const r = await runJsonChild<MemoryReport>(
    ALL_CPUS,
    process.execPath,
    ['--expose-gc', script],
    { ...process.env, BENCH_WORLD: JSON.stringify(at) },
    180_000,
  );
  const mb = (n: number) => Math.round(n * 10) / 10;
  return [
    row(SCENARIO, 'RSS after start (1,000 policies, 10,000 users)', mb(r.rssStartMb), 'MB'),
    row(
      SCENARIO,
      `RSS with ${r.revoked.toLocaleString('en')} revocations and 10,000 cached tokens`,
      mb(r.rssMb),
      'MB',
      atMost(200),
      `heap ${mb(r.heapMb)} MB`,
    ),
    row(
      SCENARIO,
      'RSS growth after 10,000 more tokens and 10,000 more users',
      mb(r.rssAfterMoreUsersMb - r.rssMb),
      'MB',
      undefined,
      'token cache: LRU 10,000; permission memo: LRU 10,000 users × 256 checks; revocation set: bounded by entry expiry (token TTL + 60 s), not by count',
    ),
  ];
}
