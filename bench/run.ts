/**
 * `npm run bench`: the auth tax of Gatehouse against plain graphql-yoga, and the other numbers of
 * issue 8, in one run that starts its own database and servers on 127.0.0.1.
 *
 *   npm run bench                       all scenarios (a few minutes)
 *   npm run bench -- --quick            shorter rounds (checks the harness; numbers are rough)
 *   npm run bench -- --only 1,3,5       some scenarios (by number; 13 = import cost of the package entries)
 *   npm run bench -- --profile          also profile the warm auth-tax path (--cpu-prof) and summarize it
 *   npm run bench -- --only 2 --profile-first-sight
 *                                       also profile scenario 2's first sight, EdDSA vs HS256
 *                                       (summary: bench/results/profile-first-sight/summary.md)
 *
 * Writes bench/results/latest.{json,md,svg}. Ratios are compared only within one run, in
 * interleaved rounds, and reported as the median of the rounds with their spread.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { CommandStartedEvent } from 'mongodb';
import { deprioritizeThreadPool, poolNice } from '../src/cli/pool-priority.js';
import { launchDatabase } from '../src/embedded-db/index.js';
import { isAfterResponseWork } from '../src/flows/index.js';
import { projectRoot } from '../src/paths.js';
import { type BenchContext, type BigWorld, DEFAULT_CONFIG, QUICK_CONFIG, type SmallWorld } from './context.js';
import { CLIENT_CPU, CORES, HAS_TASKSET, pin, SERVER_CPU } from './lib/cpu.js';
import { consoleTable, markdown } from './report/markdown.js';
import { profileAuthPaths } from './report/profile.js';
import type { Row } from './report/rows.js';
import { ratioChart } from './report/svg.js';
import { authTaxInProcess } from './scenarios/auth-tax.js';
import { authTaxHttp } from './scenarios/auth-tax-http.js';
import { closeFixture } from './scenarios/fixture.js';
import { gatewayTax } from './scenarios/gateway.js';
import { importCost } from './scenarios/import-cost.js';
import { unloadedLatency } from './scenarios/latency.js';
import { loginScenario } from './scenarios/login.js';
import { loginScale } from './scenarios/login-scale.js';
import { memoryScenario } from './scenarios/memory.js';
import { permissionCheck } from './scenarios/permission-check.js';
import { policyPropagation } from './scenarios/policy-propagation.js';
import { revocationLag } from './scenarios/revocation-lag.js';
import { roundTrips } from './scenarios/round-trips.js';
import { tracingScenario } from './scenarios/tracing.js';
import { workersScenario } from './scenarios/workers.js';
import { dropWorld, prepareBigWorld } from './world/big.js';
import { bigManifest, resolved, smallManifest } from './world/manifest.js';
import {
  type GatehouseWorld,
  newDbName,
  newSecret,
  openGatehouse,
  openServices,
  type ServicesWorld,
  type WorldAddress,
} from './world/world.js';

/** In run order; `covers` = the issue's scenario numbers (for --only). */
const SCENARIOS: { name: string; covers: number[]; run: (ctx: BenchContext) => Promise<Row[]> }[] = [
  { name: 'auth tax in-process (1, 2, 3)', covers: [1, 2, 3], run: authTaxInProcess },
  { name: 'permission check (1)', covers: [1], run: permissionCheck },
  { name: 'unloaded latency (3)', covers: [3], run: unloadedLatency },
  { name: 'auth tax over HTTP (1, 3)', covers: [1, 3], run: authTaxHttp },
  { name: 'login (4)', covers: [4], run: loginScenario },
  { name: 'round trips (5)', covers: [5], run: roundTrips },
  { name: 'revocation lag (6)', covers: [6], run: revocationLag },
  { name: 'gateway tax (7)', covers: [7], run: gatewayTax },
  { name: 'workers (8)', covers: [8], run: workersScenario },
  { name: 'memory (9)', covers: [9], run: memoryScenario },
  { name: 'policy propagation (10)', covers: [10], run: policyPropagation },
  { name: 'tracing (11)', covers: [11], run: tracingScenario },
  { name: 'login at scale (12, with policy propagation 10)', covers: [12], run: loginScale },
  { name: 'import cost of the package entries (13)', covers: [13], run: importCost },
];

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'profile-first-sight': { type: 'boolean', default: false },
    'soak-minutes': { type: 'string' },
  },
});
/** Named runs: `npm run bench -- login-scale` is issue 15's storage benchmark (scenarios 10 and 12). */
const NAMED: Record<string, number[]> = { 'login-scale': [10, 12] };
const unknownName = positionals.find((p) => !(p in NAMED));
if (unknownName) throw new Error(`unknown benchmark "${unknownName}"; known: ${Object.keys(NAMED).join(', ')}`);
const named = positionals.flatMap((p) => NAMED[p]!);
const only = flags.only
  ? new Set(flags.only.split(',').map((s) => Number(s.trim())))
  : named.length
    ? new Set(named)
    : undefined;
const config = {
  ...(flags.quick ? QUICK_CONFIG : DEFAULT_CONFIG),
  ...(flags['soak-minutes'] ? { soakMinutes: Number(flags['soak-minutes']) } : {}),
};
const t0 = performance.now();
const log = (m: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);
const loadBefore = loadavg();

const db = await launchDatabase({ log });
if (db.ferret?.pid) pin(db.ferret.pid, CLIENT_CPU);
// the postmaster: the backends it forks for FerretDB's connections inherit the core
if (db.postgres?.pid) pin(db.postgres.pid, CLIENT_CPU);
const pinned = pin(process.pid, SERVER_CPU);
// As `serve` does at start-up: libuv's pool threads (argon2id) yield to the event loop.
const reniced = await deprioritizeThreadPool(poolNice());
log(
  `database: ${db.kind}${db.backend ? ` (${db.backend})` : ''}; ${CORES} cores; ${pinned ? `servers on core ${SERVER_CPU}, load generators on core ${CLIENT_CPU}` : 'not pinned (no taskset)'}; ${reniced} pool threads at nice ${poolNice()}`,
);

let big: Promise<{ at: WorldAddress; world: ServicesWorld }> | undefined;
let small: Promise<SmallWorld> | undefined;
const ctx: BenchContext = {
  config,
  dbUri: db.uri,
  dbKind: db.kind,
  log,
  big: async (): Promise<BigWorld> => {
    big ??= (async () => {
      log('big world: seeding 3 × 10,000 users, 10 / 1,000 / 10,000 policies…');
      const at = await prepareBigWorld(db.uri);
      const world = await openServices(at, resolved(bigManifest()));
      log('big world: ready');
      return { at, world };
    })();
    const { at, world } = await big;
    return { at, services: world.services };
  },
  small: () => {
    small ??= (async () => {
      const at: WorldAddress = { uri: db.uri, dbName: newDbName('small'), secret: newSecret() };
      const instance: GatehouseWorld = await openGatehouse(at, resolved(smallManifest()), { monitorCommands: true });
      const commands: CommandStartedEvent[] = [];
      const afterResponse = new WeakSet<CommandStartedEvent>();
      instance.database.client.on('commandStarted', (e) => {
        commands.push(e);
        if (isAfterResponseWork()) afterResponse.add(e);
      });
      return { at, instance, commands, afterResponse };
    })();
    return small;
  },
};

const rows: Row[] = [];
let profileSummary: string | undefined;
try {
  for (const s of SCENARIOS) {
    if (only && !s.covers.some((n) => only.has(n))) continue;
    log(`${s.name}…`);
    try {
      rows.push(...(await s.run(ctx)));
    } catch (err) {
      log(`${s.name} FAILED: ${(err as Error).stack}`);
      rows.push({
        scenario: s.name,
        metric: 'scenario failed',
        value: null,
        unit: '',
        status: 'not met',
        note: `error: ${(err as Error).message.slice(0, 300)}`,
      });
    }
  }
  if (flags.profile) {
    log('profiling the warm auth-tax path…');
    profileSummary = await profileAuthPaths((await ctx.big()).at, config.roundMs * 4, log).catch((err: Error) => {
      log(`profile FAILED: ${err.stack}`);
      return `## Profile\n\nfailed: ${err.message.slice(0, 500)}\n`;
    });
  }
  if (flags['profile-first-sight']) {
    log('profiling first sight, EdDSA vs HS256…');
    const summary = await profileAuthPaths((await ctx.big()).at, config.roundMs * 4, log, 'first-sight');
    await writeFile(join(projectRoot(), 'bench', 'results', 'profile-first-sight', 'summary.md'), summary);
    profileSummary = (profileSummary ?? '') + summary;
  }
} finally {
  await closeFixture();
  const b = await big?.catch(() => undefined);
  await b?.world.stop();
  const s = await small?.catch(() => undefined);
  await s?.instance.stop();
  if (db.kind === 'external') {
    if (b) await dropWorld(b.at).catch(() => {});
    if (s) await dropWorld(s.at).catch(() => {});
  }
  await db.stop();
}

const seconds = (performance.now() - t0) / 1000;
const met = rows.filter((r) => r.status === 'met').length;
const notMet = rows.filter((r) => r.status === 'not met').length;
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: CORES,
  pinned: pinned ? { servers: SERVER_CPU, clients: CLIENT_CPU } : false,
  taskset: HAS_TASKSET,
  database: db.kind,
  backend: db.backend ?? null,
  loadAverage: { before: loadBefore, after: loadavg() },
  seconds,
  config,
  quick: flags.quick,
};
const heading = [
  '# Gatehouse benchmark',
  '',
  `${meta.date} · node ${meta.node} · ${meta.cores} × ${meta.cpu} · database ${meta.database} · ` +
    `${pinned ? `servers pinned to core ${SERVER_CPU}, load generators to core ${CLIENT_CPU}` : 'unpinned'} · ` +
    `load average ${loadBefore.map((l) => l.toFixed(1)).join(' / ')} before, ${meta.loadAverage.after.map((l) => l.toFixed(1)).join(' / ')} after · ${seconds.toFixed(0)} s`,
  '',
  `Medians over ${config.rounds} interleaved rounds (spread = min – max of the rounds); ratios are taken within each round. ` +
    `Targets: ${met} met, ${notMet} not met.`,
];
const dir = join(projectRoot(), 'bench', 'results');
await mkdir(dir, { recursive: true });
// A named run keeps its own files, so it never overwrites the full run's.
const base = named.length ? positionals.join('+') : 'latest';
await writeFile(join(dir, `${base}.json`), `${JSON.stringify({ meta, rows }, null, 2)}\n`);
await writeFile(join(dir, `${base}.md`), markdown(rows, heading) + (profileSummary ? `\n${profileSummary}` : ''));
await writeFile(
  join(dir, `${base}.svg`),
  ratioChart(rows, `Gatehouse ÷ baseline (${meta.date.slice(0, 10)}, ${meta.cores} cores)`),
);

process.stdout.write(`\n${consoleTable(rows)}\n\n`);
process.stdout.write(
  `targets: ${met} met, ${notMet} not met · ${seconds.toFixed(0)} s · bench/results/${base}.{json,md,svg}\n`,
);
if (profileSummary) process.stdout.write(`\n${profileSummary}\n`);
if (named.length) {
  // The named run's verdict, one line, and a failing exit when any of its targets is not met.
  process.stdout.write(`${met} targets met, ${notMet} not met\n`);
  process.exit(notMet > 0 ? 1 : 0);
}
process.exit(0);
