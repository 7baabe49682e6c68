import type { BenchContext } from '../context.js';
import { type LoadResult, load, mergeLoads } from '../lib/inprocess.js';
import { interleavedSlices } from '../lib/rounds.js';
import { differences, quantile, ratios } from '../lib/stats.js';
import { atLeast, type Row, row } from '../report/rows.js';
import { ALGORITHM_APPS, type BenchAlgorithm } from '../world/manifest.js';
import { tokens } from '../world/tokens.js';
import { requestsFor, taxFixture } from './fixture.js';

const WARM = '1. Auth tax, warm';
const FIRST = '2. Auth tax, first sight';
const LATENCY = '3. Latency';

const ALGORITHMS: BenchAlgorithm[] = ['EdDSA', 'ES256', 'HS256'];
const FIRST_SIGHT_TARGET: Record<BenchAlgorithm, number> = { EdDSA: 0.45, ES256: 0.45, HS256: 0.6 };

/**
 * Scenarios 1 and 2 in-process (the primary ratios), plus p99 under load from the same runs:
 * plain Yoga vs Gatehouse on the same schema, queries and requests, in interleaved rounds.
 * First sight: every request carries a token never seen before (fresh signature check).
 */
export async function authTaxInProcess(ctx: BenchContext): Promise<Row[]> {
  const { config: c } = ctx;
  const world = await ctx.big();
  const fx = await taxFixture(world);
  const warmRun = (server: 'plain' | 'gatehouse', query: 'auth' | 'perm1' | 'perm10') => (ms: number) =>
    load(fx[server], fx.initFor(query, fx.warm), { concurrency: c.concurrency, durationMs: ms, latencies: true });

  // First sight: a run consumes fresh tokens; size the runs from a calibration run.
  const fresh: Record<BenchAlgorithm, { count: number; pools: string[][] }> = {} as never;
  for (const alg of ALGORITHMS) {
    const slug = ALGORITHM_APPS[alg];
    const probe = await tokens(world.services, slug, 150, 5000);
    const probeInits = requestsFor('auth', probe, slug);
    const r = await load(fx.gatehouse, (i) => probeInits[i]!, { concurrency: c.concurrency, count: probe.length });
    const count = Math.max(50 * c.slices, Math.round((r.rps * c.roundMs) / 1000));
    const pools: string[][] = [];
    for (let k = 0; k < c.rounds; k++) pools.push(await tokens(world.services, slug, count, 20 + k * count));
    fresh[alg] = { count, pools };
    ctx.log(`  first sight ${alg}: ${count} fresh tokens per round`);
  }
  /** Slice `slice` of round `round`: its share of the round's fresh tokens, each used once. */
  const firstRun = (alg: BenchAlgorithm, round: number, slice: number) => {
    const slug = ALGORITHM_APPS[alg];
    const pool = fresh[alg].pools[round]!;
    const per = Math.floor(pool.length / c.slices);
    const inits = requestsFor('auth', pool.slice(slice * per, (slice + 1) * per), slug);
    return load(fx.gatehouse, (i) => inits[i]!, { concurrency: c.concurrency, count: inits.length, latencies: true });
  };

  const warm = new Map<string, (ms: number) => Promise<LoadResult>>();
  for (const server of ['plain', 'gatehouse'] as const)
    for (const query of ['auth', 'perm1', 'perm10'] as const) warm.set(`${server} ${query}`, warmRun(server, query));
  for (const run of warm.values()) await run(c.roundMs / 3); // JIT warm-up, not recorded
  const names = [...warm.keys(), ...ALGORITHMS.map((a) => `first ${a}`)];
  const runs = await interleavedSlices(
    names,
    c.rounds,
    c.slices,
    (name, round, slice) =>
      name.startsWith('first ')
        ? firstRun(name.slice(6) as BenchAlgorithm, round, slice)
        : warm.get(name)!(c.roundMs / c.slices),
    mergeLoads,
  );
  const rps = (name: string) => runs[name]!.map((r) => r.rps);
  const p99 = (name: string) => runs[name]!.map((r) => quantile(r.latencies, 0.99));
  const tax = (q: string) => ratios(rps(`gatehouse ${q}`), rps(`plain ${q}`));
  const inflight = `${c.concurrency} in flight`;

  return [
    row(WARM, 'plain Yoga, in-process, 1 field', rps('plain auth'), 'req/s'),
    row(WARM, '@auth ÷ plain Yoga, in-process', tax('auth'), '×', atLeast(0.9)),
    row(WARM, '@permission ×1 ÷ plain Yoga, in-process', tax('perm1'), '×', atLeast(0.9)),
    row(WARM, '@permission ×10 ÷ plain Yoga, in-process', tax('perm10'), '×', atLeast(0.9)),
    ...ALGORITHMS.map((alg) =>
      row(
        FIRST,
        `${alg} token first seen ÷ plain Yoga, in-process`,
        ratios(rps(`first ${alg}`), rps('plain auth')),
        '×',
        atLeast(FIRST_SIGHT_TARGET[alg]),
        `@auth query; ${fresh[alg].count} fresh tokens per round`,
      ),
    ),
    row(
      LATENCY,
      `p99 under load, plain Yoga (in-process, ${inflight})`,
      p99('plain perm10'),
      'ms',
      undefined,
      '10 fields',
    ),
    row(
      LATENCY,
      `added p99 under load, @permission ×10 (in-process, ${inflight})`,
      differences(p99('gatehouse perm10'), p99('plain perm10')),
      'ms',
    ),
    row(
      LATENCY,
      `added p99 under load, @auth (in-process, ${inflight})`,
      differences(p99('gatehouse auth'), p99('plain auth')),
      'ms',
    ),
  ];
}
