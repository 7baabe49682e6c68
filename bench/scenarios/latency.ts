import type { BenchContext } from '../context.js';
import { alternatingHttp, type HttpCall } from '../lib/http.js';
import { alternating } from '../lib/inprocess.js';
import { interleaved } from '../lib/rounds.js';
import { quantile } from '../lib/stats.js';
import { atMost, type Row, row } from '../report/rows.js';
import { MAIN_APP } from '../world/manifest.js';
import { QUERIES, type QueryName } from '../world/schema.js';
import { FULL_STACK_LABEL, GATEHOUSE_KINDS, GATEHOUSES, HTTP_KINDS, taxFixture } from './fixture.js';

const LATENCY = '3. Latency';
const MODES = ['in-process', 'HTTP, one connection'] as const;
const QUERY_LABEL: Record<'auth' | 'perm10', string> = { auth: '@auth', perm10: '@permission ×10' };

/**
 * Scenario 3, unloaded: one request at a time, alternating plain / Gatehouse request by request,
 * in-process and over one keep-alive HTTP connection per server. Added p50 / p99 = Gatehouse's
 * percentile minus plain Yoga's, per round; the median over rounds is reported.
 */
export async function unloadedLatency(ctx: BenchContext): Promise<Row[]> {
  const { config: c } = ctx;
  const fx = await taxFixture(await ctx.big());
  const servers = await fx.http();
  const kinds = HTTP_KINDS;
  const compared = [...GATEHOUSE_KINDS, 'full'] as const;
  const queries = ['auth', 'perm10'] as const;
  const headers = { authorization: `Bearer ${fx.warm[0]}`, 'x-gatehouse-app': MAIN_APP };
  const http = (url: string, q: QueryName): HttpCall => ({ url, headers, body: JSON.stringify({ query: QUERIES[q] }) });

  /** Added p50 / p99 per round, by `${kind} ${query} ${mode}`. */
  const added: Record<string, { p50: number[]; p99: number[] }> = {};
  const record = (key: string, plainMs: Float64Array, ghMs: Float64Array) => {
    added[key] ??= { p50: [], p99: [] };
    added[key].p50.push(quantile(ghMs, 0.5) - quantile(plainMs, 0.5));
    added[key].p99.push(quantile(ghMs, 0.99) - quantile(plainMs, 0.99));
  };
  await interleaved(MODES, c.rounds, async (mode) => {
    for (const q of queries) {
      const ms =
        mode === 'in-process'
          ? await alternating(
              kinds.map((k) => ({ name: k, target: fx[k], initFor: fx.initFor(q, fx.warm) })),
              c.latencySamples,
            )
          : await alternatingHttp(
              kinds.map((k) => ({ name: k, call: http(servers[k].url, q) })),
              c.latencySamples,
            );
      for (const kind of compared) record(`${kind} ${q} ${mode}`, ms.plain!, ms[kind]!);
    }
  });
  const rows: Row[] = [];
  for (const kind of compared) {
    const label = kind === 'full' ? FULL_STACK_LABEL : GATEHOUSES[kind].label;
    const name = (metric: string) => (kind === 'gatehouse' ? metric : `${metric} [${label}]`);
    for (const mode of MODES) {
      for (const q of queries) {
        const a = added[`${kind} ${q} ${mode}`]!;
        rows.push(
          row(LATENCY, name(`added p50 unloaded, ${QUERY_LABEL[q]} (${mode})`), a.p50, 'ms', atMost(0.3)),
          row(LATENCY, name(`added p99 unloaded, ${QUERY_LABEL[q]} (${mode})`), a.p99, 'ms', atMost(1)),
        );
      }
    }
  }
  return rows;
}
