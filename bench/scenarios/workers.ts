import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import type { BenchContext } from '../context.js';
import { type CannonResult, cannon } from '../lib/autocannon.js';
import { startChild } from '../lib/child.js';
import { ALL_CPUS, CORES } from '../lib/cpu.js';
import { type HttpCall, post } from '../lib/http.js';
import { interleaved } from '../lib/rounds.js';
import { ratios } from '../lib/stats.js';
import { atLeast, type Row, row } from '../report/rows.js';
import { MAIN_APP, mainManifest } from '../world/manifest.js';
import { CAN } from '../world/operations.js';
import { tokenFor } from '../world/tokens.js';

const SCENARIO = '8. Scale';

/**
 * Scenario 8: `gatehouse serve --workers 2` vs `--workers 1`, both running at once over the big
 * world's database, driven in interleaved rounds by autocannon with a warm token on an @auth
 * query answered from memory. Nothing is pinned here: the point is to use both cores.
 */
export async function workersScenario(ctx: BenchContext): Promise<Row[]> {
  const { at, services } = await ctx.big();
  const manifestFile = join(tmpdir(), `gatehouse-bench-manifest-${process.pid}.json`);
  await writeFile(manifestFile, JSON.stringify(mainManifest()));
  const env = {
    ...process.env,
    MONGODB_URI: at.uri,
    MONGODB_DB: at.dbName,
    GATEHOUSE_SECRET: at.secret,
    GATEHOUSE_MANIFEST: manifestFile,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
  };
  const bin = join(projectRoot(), 'bin', 'gatehouse');
  const starting = [1, 2].map((n) =>
    startChild(ALL_CPUS, bin, ['serve', '--workers', String(n), '--port', '0', '--host', '127.0.0.1'], {
      env,
      cwd: projectRoot(),
      readyLine: /listening on (\S+)/,
      timeoutMs: 120_000,
    }),
  );
  const started = await Promise.allSettled(starting);
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const token = await tokenFor(services, MAIN_APP, 3);
    const body = JSON.stringify({ query: CAN });
    const headers = { authorization: `Bearer ${token}`, 'x-gatehouse-app': MAIN_APP };
    const calls: Record<string, HttpCall> = {
      'workers 1': { url: servers[0]!.ready, headers, body },
      'workers 2': { url: servers[1]!.ready, headers, body },
    };
    for (const call of Object.values(calls)) {
      const answer = JSON.parse(await post(call)) as { data?: { can?: boolean } };
      if (typeof answer.data?.can !== 'boolean') throw new Error(`serve answered ${JSON.stringify(answer)}`);
    }
    const opts = { connections: ctx.config.connections, durationS: ctx.config.httpRoundS, cpus: ALL_CPUS };
    for (const call of Object.values(calls)) await cannon(call, { ...opts, durationS: 1 }); // warm-up
    const runs = await interleaved(
      Object.keys(calls),
      ctx.config.rounds,
      (name): Promise<CannonResult> => cannon(calls[name]!, opts),
    );
    const rps = (name: string) => runs[name]!.map((r) => r.rps);
    const note = `${CORES} cores; autocannon shares them`;
    return [
      row(SCENARIO, '`serve --workers 1`, HTTP', rps('workers 1'), 'req/s'),
      row(
        SCENARIO,
        '`serve --workers 2` ÷ `--workers 1`',
        ratios(rps('workers 2'), rps('workers 1')),
        '×',
        atLeast(1.6),
        note,
      ),
    ];
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
