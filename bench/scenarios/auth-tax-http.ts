import type { BenchContext } from '../context.js';
import { type CannonResult, cannon } from '../lib/autocannon.js';
import type { HttpCall } from '../lib/http.js';
import { interleaved } from '../lib/rounds.js';
import { differences, ratios } from '../lib/stats.js';
import { atLeast, type Row, row } from '../report/rows.js';
import { MAIN_APP } from '../world/manifest.js';
import { QUERIES, type QueryName } from '../world/schema.js';
import { FULL_STACK_LABEL, GATEHOUSE_KINDS, GATEHOUSES, HTTP_KINDS, taxFixture } from './fixture.js';

/** @auth and ten @permission fields (one @permission field: the in-process view has it). */
const QUERY_NAMES: QueryName[] = ['auth', 'perm10'];

const WARM = '1. Auth tax, warm';
const LATENCY = '3. Latency';

/** Scenario 1 over HTTP (the second view): autocannon on the client core, both servers on the server core. */
export async function authTaxHttp(ctx: BenchContext): Promise<Row[]> {
  const { config: c } = ctx;
  const fx = await taxFixture(await ctx.big());
  const servers = await fx.http();
  const headers = { authorization: `Bearer ${fx.warm[0]}`, 'x-gatehouse-app': MAIN_APP };
  const variants = new Map<string, HttpCall>();
  for (const server of HTTP_KINDS) {
    for (const q of QUERY_NAMES) {
      variants.set(`${server} ${q}`, {
        url: servers[server].url,
        headers,
        body: JSON.stringify({ query: QUERIES[q] }),
      });
    }
  }
  const opts = { connections: c.connections, durationS: c.httpRoundS };
  for (const server of HTTP_KINDS) await cannon(variants.get(`${server} perm10`)!, { ...opts, durationS: 1 }); // warm-up
  const runs = await interleaved(
    [...variants.keys()],
    c.rounds,
    (name): Promise<CannonResult> => cannon(variants.get(name)!, opts),
  );
  const rps = (name: string) => runs[name]!.map((r) => r.rps);
  const p99 = (name: string) => runs[name]!.map((r) => r.p99);
  const conns = `${c.connections} connections`;
  const rows: Row[] = [row(WARM, 'plain Yoga, HTTP (autocannon), 1 field', rps('plain auth'), 'req/s')];
  for (const kind of [...GATEHOUSE_KINDS, 'full'] as const) {
    const label = kind === 'full' ? FULL_STACK_LABEL : GATEHOUSES[kind].label;
    const name = (metric: string) => (kind === 'gatehouse' ? metric : `${metric} [${label}]`);
    const tax = (q: QueryName) => ratios(rps(`${kind} ${q}`), rps(`plain ${q}`));
    rows.push(
      row(WARM, name('@auth ÷ plain Yoga, HTTP'), tax('auth'), '×', atLeast(0.85)),
      row(WARM, name('@permission ×10 ÷ plain Yoga, HTTP'), tax('perm10'), '×', atLeast(0.85)),
      row(
        LATENCY,
        name(`added p99 under load, @permission ×10 (HTTP, ${conns})`),
        differences(p99(`${kind} perm10`), p99('plain perm10')),
        'ms',
        undefined,
        '1 ms resolution',
      ),
    );
  }
  rows.push(
    row(
      LATENCY,
      `p99 under load, plain Yoga (HTTP, ${conns})`,
      p99('plain perm10'),
      'ms',
      undefined,
      '1 ms resolution',
    ),
  );
  return rows;
}
