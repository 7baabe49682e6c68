import type { BenchContext } from '../context.js';
import { type HttpCall, alternatingHttp } from '../lib/http.js';
import { alternating } from '../lib/inprocess.js';
import { interleaved } from '../lib/rounds.js';
import { quantile } from '../lib/stats.js';
import { atMost, type Row, row } from '../report/rows.js';
import { MAIN_APP } from '../world/manifest.js';
import { QUERIES, type QueryName } from '../world/schema.js';
import { taxFixture } from './fixture.js';

const LATENCY = '3. Latency';
const QUERY_LABEL: Record<'auth' | 'perm10', string> = { auth: '@auth', perm10: '@permission ×10' };

/**
 * Scenario 3, unloaded: one request at a time, alternating plain / Gatehouse request by request,
 * in-process and over one keep-alive HTTP connection per server. Added p50 / p99 = Gatehouse's
 * percentile minus plain Yoga's, per round; the median over rounds is reported.
 */
export async function unloadedLatency(ctx: BenchContext): Promise<Row[]> {
  const { config: c } = ctx;
  const fx = await taxFixture(await ctx.big());
  const { plain, gatehouse } = await fx.http();
  const queries = ['auth', 'perm10'] as const;
  const headers = { authorization: `Bearer ${fx.warm[0]}`, 'x-gatehouse-app': MAIN_APP };
  const http = (url: string, q: QueryName): HttpCall => ({ url, headers, body: JSON.stringify({ query: QUERIES[q] }) });

  const added: Record<string, { p50: number[]; p99: number[] }> = {};
  const record = (key: string, plainMs: Float64Array, ghMs: Float64Array) => {
    added[key] ??= { p50: [], p99: [] };
    const a = added[key];
    a.p50.push(quantile(ghMs, 0.5) - quantile(plainMs, 0.5));
    a.p99.push(quantile(ghMs, 0.99) - quantile(plainMs, 0.99));
  };
  await interleaved(['in-process', 'HTTP'], c.rounds, async (mode) => {
    for (const q of queries) {
      if (mode === 'in-process') {
        const ms = await alternating(
          [
            { name: 'plain', target: fx.plain, initFor: fx.initFor(q, fx.warm) },
            { name: 'gatehouse', target: fx.gatehouse, initFor: fx.initFor(q, fx.warm) },
          ],
          c.latencySamples,
        );
        record(`${q} in-process`, ms.plain!, ms.gatehouse!);
      } else {
        const ms = await alternatingHttp(
          [
            { name: 'plain', call: http(plain.url, q) },
            { name: 'gatehouse', call: http(gatehouse.url, q) },
          ],
          c.latencySamples,
        );
        record(`${q} HTTP`, ms.plain!, ms.gatehouse!);
      }
    }
  });
  const rows: Row[] = [];
  for (const mode of ['in-process', 'HTTP, one connection']) {
    for (const q of queries) {
      const a = added[`${q} ${mode === 'in-process' ? 'in-process' : 'HTTP'}`]!;
      rows.push(
        row(LATENCY, `added p50 unloaded, ${QUERY_LABEL[q]} (${mode})`, a.p50, 'ms', atMost(0.3)),
        row(LATENCY, `added p99 unloaded, ${QUERY_LABEL[q]} (${mode})`, a.p99, 'ms', atMost(1)),
      );
    }
  }
  return rows;
}
