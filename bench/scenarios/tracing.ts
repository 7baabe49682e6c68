import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import type { BenchContext } from '../context.js';
import { type CannonResult, cannon } from '../lib/autocannon.js';
import { type Running, startChild } from '../lib/child.js';
import { SERVER_CPU } from '../lib/cpu.js';
import { type HttpCall, post } from '../lib/http.js';
import { interleaved, interleavedSlices } from '../lib/rounds.js';
import { differences, ratios } from '../lib/stats.js';
import { type Row, row } from '../report/rows.js';
import { MAIN_APP } from '../world/manifest.js';
import { CAN } from '../world/operations.js';
import { tokenFor } from '../world/tokens.js';

const SCENARIO = '11. Tracing';

/** Asks a tracing child for one in-process load run; resolves with its req/s. */
function inProcess(server: Running, ms: number, concurrency: number): Promise<number> {
  const out = server.child.stdout!;
  return new Promise((resolve, reject) => {
    let said = '';
    const onData = (d: Buffer) => {
      said += d;
      const m = /(rps|failed) ([^\n]*)\n/.exec(said);
      if (!m) return;
      out.off('data', onData);
      if (m[1] === 'rps') resolve(Number(m[2]));
      else reject(new Error(`tracing child: ${m[2]}`));
    };
    out.on('data', onData);
    server.child.stdin!.write(`run ${Math.round(ms)} ${concurrency}\n`);
  });
}
const VARIANTS = ['none', 'sdk'] as const;

/**
 * Scenario 10: what tracing costs. The same Gatehouse (bench/tracing-child.ts) twice, on the
 * server core: once with no OpenTelemetry SDK (every span call is the API's no-op) and once with
 * an SDK recording every span (graphql.request, auth.verify, auth.revocation, auth.permission)
 * into a batched in-memory exporter. autocannon drives an authenticated `can` answered from
 * memory, so the spans are a large share of the work; interleaved rounds, ratio per round.
 */
export async function tracingScenario(ctx: BenchContext): Promise<Row[]> {
  const { at, services } = await ctx.big();
  const child = join(projectRoot(), 'dist', 'bench', 'tracing-child.js');
  const servers: Record<string, Running> = {};
  try {
    const token = await tokenFor(services, MAIN_APP, 3);
    for (const v of VARIANTS) {
      servers[v] = await startChild(SERVER_CPU, process.execPath, [child], {
        env: { ...process.env, BENCH_WORLD: JSON.stringify(at), BENCH_TRACING: v, BENCH_TOKEN: token },
        readyLine: /listening on (\S+)/,
        timeoutMs: 60_000,
        stdin: true,
      });
    }
    const headers = { authorization: `Bearer ${token}`, 'x-gatehouse-app': MAIN_APP };
    const body = JSON.stringify({ query: CAN });
    const calls: Record<string, HttpCall> = {};
    for (const v of VARIANTS) calls[v] = { url: servers[v]!.ready, headers, body };
    for (const call of Object.values(calls)) {
      const answer = JSON.parse(await post(call)) as { data?: { can?: boolean } };
      if (typeof answer.data?.can !== 'boolean') throw new Error(`tracing child answered ${JSON.stringify(answer)}`);
    }
    // First view: in-process (yoga.fetch inside each child), the server's own work alone.
    const c = ctx.config;
    for (const v of VARIANTS) await inProcess(servers[v]!, 300, c.concurrency); // warm-up
    const local = await interleavedSlices(
      VARIANTS,
      c.rounds,
      c.slices,
      (v) => inProcess(servers[v]!, c.roundMs / c.slices, c.concurrency),
      (parts) => parts.reduce((a, b) => a + b, 0) / parts.length,
    );
    const opts = { connections: ctx.config.connections, durationS: ctx.config.httpRoundS };
    for (const call of Object.values(calls)) await cannon(call, { ...opts, durationS: 1 }); // warm-up
    const runs = await interleaved(VARIANTS, ctx.config.rounds, (v): Promise<CannonResult> => cannon(calls[v]!, opts));
    // Proof that the SDK variant recorded: the child counts its spans and prints them on SIGTERM.
    let said = '';
    servers.sdk!.child.stdout?.on('data', (d: Buffer) => {
      said += d;
    });
    await servers.sdk!.stop();
    const out = servers.sdk!.child.stdout;
    if (out && !out.readableEnded) await new Promise((resolve) => out.once('end', resolve)); // 'exit' can beat the last line
    const [, spans = 'NaN', requests = 'NaN'] = /spans (\d+) requests (\d+)/.exec(said) ?? [];
    ctx.log(`tracing: the SDK variant recorded ${spans} spans for ${requests} GraphQL requests`);
    const rps = (v: string) => runs[v]!.map((r) => r.rps);
    const p99 = (v: string) => runs[v]!.map((r) => r.p99);
    const rows = [
      row(SCENARIO, 'no SDK (API no-op), `can` in-process', local.none!, 'req/s'),
      row(SCENARIO, 'SDK + in-memory exporter, `can` in-process', local.sdk!, 'req/s'),
      row(SCENARIO, 'SDK ÷ no SDK, `can` in-process', ratios(local.sdk!, local.none!), '×'),
      row(SCENARIO, 'no SDK (API no-op), `can` over HTTP', rps('none'), 'req/s'),
      row(SCENARIO, 'SDK + in-memory exporter, `can` over HTTP', rps('sdk'), 'req/s'),
      row(SCENARIO, 'SDK ÷ no SDK, `can` over HTTP', ratios(rps('sdk'), rps('none')), '×'),
      row(SCENARIO, 'spans per `can` request (SDK)', Number(spans) / Number(requests), ''),
      row(
        SCENARIO,
        'added p99 with the SDK, `can` over HTTP',
        differences(p99('sdk'), p99('none')),
        'ms',
        undefined,
        '1 ms resolution',
      ),
    ];
    return rows;
  } finally {
    await Promise.all(Object.values(servers).map((s) => s?.stop()));
  }
}
