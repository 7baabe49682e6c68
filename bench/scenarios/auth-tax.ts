import type { BenchContext } from '../context.js';
import { type LoadResult, load, mergeLoads } from '../lib/inprocess.js';
import { interleavedSlices } from '../lib/rounds.js';
import { differences, quantile, ratios } from '../lib/stats.js';
import { atLeast, type Row, row } from '../report/rows.js';
import { ALGORITHM_APPS, type BenchAlgorithm } from '../world/manifest.js';
import { QUERIES, type QueryName } from '../world/schema.js';
import { tokens } from '../world/tokens.js';
import {
  FULL_STACK_LABEL,
  GATEHOUSE_KINDS,
  GATEHOUSES,
  type GatehouseKind,
  requestsFor,
  type ServerKind,
  taxFixture,
} from './fixture.js';

const QUERY_NAMES = Object.keys(QUERIES) as QueryName[];

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
  const warmRun = (server: ServerKind | 'full', query: QueryName) => (ms: number) =>
    load(fx[server], fx.initFor(query, fx.warm), { concurrency: c.concurrency, durationMs: ms, latencies: true });

  // First sight: a run consumes fresh tokens; size the runs from a calibration run.
  const fresh: Record<string, string[][]> = {};
  const freshCount: Partial<Record<BenchAlgorithm, number>> = {};
  let nextUser = 20;
  for (const alg of ALGORITHMS) {
    const slug = ALGORITHM_APPS[alg];
    const probe = requestsFor('auth', await tokens(world.services, slug, 150, 5000), slug);
    const r = await load(fx.gatehouse, (i) => probe[i]!, { concurrency: c.concurrency, count: probe.length });
    const count = Math.max(50 * c.slices, Math.round((r.rps * c.roundMs) / 1000));
    freshCount[alg] = count;
    for (const kind of GATEHOUSE_KINDS) {
      const pools: string[][] = [];
      for (let k = 0; k < c.rounds; k++, nextUser += count)
        pools.push(await tokens(world.services, slug, count, nextUser));
      fresh[`${kind} first ${alg}`] = pools;
    }
    ctx.log(`  first sight ${alg}: ${count} fresh tokens per round`);
  }
  /** Slice `slice` of round `round`: its share of the round's fresh tokens, each used once. */
  const firstRun = (name: string, round: number, slice: number) => {
    const [kind, , alg] = name.split(' ') as [GatehouseKind, string, BenchAlgorithm];
    const pool = fresh[name]![round]!;
    const per = Math.floor(pool.length / c.slices);
    const inits = requestsFor('auth', pool.slice(slice * per, (slice + 1) * per), ALGORITHM_APPS[alg]);
    return load(fx[kind], (i) => inits[i]!, { concurrency: c.concurrency, count: inits.length, latencies: true });
  };

  const warm = new Map<string, (ms: number) => Promise<LoadResult>>();
  for (const server of ['plain', ...GATEHOUSE_KINDS, 'full'] as const)
    for (const query of QUERY_NAMES) warm.set(`${server} ${query}`, warmRun(server, query));
  for (const run of warm.values()) await run(c.roundMs / 3); // JIT warm-up, not recorded
  const names = [...warm.keys(), ...Object.keys(fresh)];
  const runs = await interleavedSlices(
    names,
    c.rounds,
    c.slices,
    (name, round, slice) => (fresh[name] ? firstRun(name, round, slice) : warm.get(name)!(c.roundMs / c.slices)),
    mergeLoads,
  );
  const rps = (name: string) => runs[name]!.map((r) => r.rps);
  const p99 = (name: string) => runs[name]!.map((r) => quantile(r.latencies, 0.99));
  const inflight = `${c.concurrency} in flight`;

  const rows: Row[] = [row(WARM, 'plain Yoga, in-process, 1 field', rps('plain auth'), 'req/s')];
  for (const kind of GATEHOUSE_KINDS) {
    const name = (metric: string) => (kind === 'gatehouse' ? metric : `${metric} [${GATEHOUSES[kind].label}]`);
    const tax = (q: QueryName) => ratios(rps(`${kind} ${q}`), rps(`plain ${q}`));
    rows.push(
      row(WARM, name('@auth ÷ plain Yoga, in-process'), tax('auth'), '×', atLeast(0.9)),
      row(WARM, name('@permission ×1 ÷ plain Yoga, in-process'), tax('perm1'), '×', atLeast(0.9)),
      row(WARM, name('@permission ×10 ÷ plain Yoga, in-process'), tax('perm10'), '×', atLeast(0.9)),
      ...ALGORITHMS.map((alg) =>
        row(
          FIRST,
          name(`${alg} token first seen ÷ plain Yoga, in-process`),
          ratios(rps(`${kind} first ${alg}`), rps('plain auth')),
          '×',
          atLeast(FIRST_SIGHT_TARGET[alg]),
          `@auth query; ${freshCount[alg]} fresh tokens per round`,
        ),
      ),
      row(
        LATENCY,
        name(`added p99 under load, @permission ×10 (in-process, ${inflight})`),
        differences(p99(`${kind} perm10`), p99('plain perm10')),
        'ms',
      ),
    );
  }
  const LABELS: Record<QueryName, string> = { auth: '@auth', perm1: '@permission ×1', perm10: '@permission ×10' };
  for (const q of QUERY_NAMES) {
    rows.push(
      row(
        WARM,
        `${LABELS[q]} ÷ plain Yoga, in-process [${FULL_STACK_LABEL}]`,
        ratios(rps(`full ${q}`), rps(`plain ${q}`)),
        '×',
        q === 'perm1' ? undefined : atLeast(0.8), // issue 16: the served stack within 20 % in-process
        'the whole served stack: also logging (info, to /dev/null), metrics, GraphQL hardening, cookies, CSRF, security headers',
      ),
    );
  }
  rows.push(
    row(
      LATENCY,
      `p99 under load, plain Yoga (in-process, ${inflight})`,
      p99('plain perm10'),
      'ms',
      undefined,
      '10 fields',
    ),
  );
  return rows;
}
