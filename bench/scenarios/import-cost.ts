import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import type { BenchContext } from '../context.js';
import { runJsonChild } from '../lib/child.js';
import { SERVER_CPU } from '../lib/cpu.js';
import { type Row, row } from '../report/rows.js';

const SCENARIO = '13. Import cost';

interface ImportReport {
  importMs: number;
  rssMb: number;
  rssGrowthMb: number;
  heapMb: number;
  modules: number;
  yogaServer: boolean;
  pothos: boolean;
  flows: boolean;
  gatehouseServer: boolean;
}

const ENTRIES = { full: 'gatehouse', plugin: 'gatehouse/plugin' } as const;

/**
 * Scenario 13: what a service pays to import the package. `gatehouse` (".") brings the whole
 * server; `gatehouse/plugin` only useGatehouse. Each import in a fresh process (interleaved
 * rounds, median), timed around `import()`, RSS after two GCs.
 */
export async function importCost(ctx: BenchContext): Promise<Row[]> {
  const script = join(projectRoot(), 'dist', 'bench', 'import-child.js');
  const rounds = Math.max(3, ctx.config.rounds);
  const samples = { full: [] as ImportReport[], plugin: [] as ImportReport[] };
  for (let i = 0; i < rounds; i++) {
    for (const kind of ['full', 'plugin'] as const) {
      const r = await runJsonChild<ImportReport>(
        SERVER_CPU,
        process.execPath,
        ['--expose-gc', script, ENTRIES[kind]],
        process.env,
        60_000,
      );
      samples[kind].push(r);
    }
  }
  const of = (kind: keyof typeof samples, key: 'importMs' | 'rssMb' | 'heapMb') =>
    samples[kind].map((r) => Math.round(r[key] * 10) / 10);
  const p = samples.plugin[0]!;
  const loads = (r: ImportReport) =>
    (['yogaServer', 'pothos', 'flows', 'gatehouseServer'] as const).filter((k) => r[k]).join(', ') || 'none of them';
  const ratio = samples.plugin.map((r, i) => Math.round((r.importMs / samples.full[i]!.importMs) * 100) / 100);
  return [
    row(
      SCENARIO,
      'import "gatehouse" in a fresh process',
      of('full', 'importMs'),
      'ms',
      undefined,
      `${samples.full[0]!.modules} modules`,
    ),
    row(
      SCENARIO,
      'import "gatehouse/plugin" in a fresh process',
      of('plugin', 'importMs'),
      'ms',
      undefined,
      `${p.modules} modules; of Yoga's server, Pothos, the flows, the Gatehouse server it loads: ${loads(p)}`,
    ),
    row(SCENARIO, '"gatehouse/plugin" ÷ "gatehouse" import time', ratio, '×'),
    row(
      SCENARIO,
      'RSS after import "gatehouse"',
      of('full', 'rssMb'),
      'MB',
      undefined,
      `heap ${of('full', 'heapMb')[0]} MB`,
    ),
    row(
      SCENARIO,
      'RSS after import "gatehouse/plugin"',
      of('plugin', 'rssMb'),
      'MB',
      undefined,
      `heap ${of('plugin', 'heapMb')[0]} MB`,
    ),
  ];
}
