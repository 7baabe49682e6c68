/**
 * The password-login loop of `login-scale` at 10,000 users under the CPU profiler, to see where
 * the main thread's time per login goes (argon2 itself runs on libuv's pool and shows only as
 * idle here). Starts its own database, like `npm run bench`; prints one JSON window. Run:
 *
 *   node --cpu-prof --cpu-prof-dir bench/results/profile-login dist/bench/profile-login.js
 *   node dist/bench/report/login-profile.js bench/results/profile-login
 */
import { deprioritizeThreadPool, poolNice } from '../src/cli/pool-priority.js';
import { launchDatabase } from '../src/embedded-db/index.js';
import { isAfterResponseWork } from '../src/flows/index.js';
import { graphqlInit } from './lib/inprocess.js';
import { cpuPer, cpuSnapshot } from './lib/proc-cpu.js';
import { loginLoad, worldOf } from './scenarios/login-scale.js';
import { LOGIN } from './world/operations.js';

const users = Number(process.env.BENCH_USERS ?? 10_000);
const ms = Number(process.env.BENCH_PROFILE_MS ?? 8000);
const log = (m: string) => process.stderr.write(`[profile-login] ${m}\n`);
const db = await launchDatabase({ log });
await deprioritizeThreadPool(poolNice());
// monitoring costs CPU itself: BENCH_COMMANDS=1 counts commands per login instead
const counting = process.env.BENCH_COMMANDS === '1';
const us = () => Number(process.hrtime.bigint() / 1000n);
try {
  const { world, yoga, headers, password } = await worldOf({ dbUri: process.env.BENCH_DB_URI ?? db.uri, log }, users, {
    monitorCommands: counting,
  });
  const commands = new Map<string, number>();
  let counted = false;
  world.database.client.on('commandStarted', (e) => {
    if (!counted) return;
    const c = e.command as Record<string, unknown>;
    const key = `${e.commandName} ${String(c[e.commandName])}${isAfterResponseWork() ? ' (after response)' : ''}`;
    commands.set(key, (commands.get(key) ?? 0) + 1);
  });
  try {
    const pick = (i: number) => `scale-${(i * 7919) % users}@bench.test`;
    const initFor = (i: number) => graphqlInit(LOGIN, headers, { input: { email: pick(i), password } });
    await loginLoad(yoga, initFor, 1000);
    const procs = { FerretDB: db.ferret?.pid, PostgreSQL: db.postgres?.pid };
    const cpu0 = cpuSnapshot(procs);
    counted = true;
    const fromUs = us();
    const run = await loginLoad(yoga, initFor, ms);
    // the work each login leaves for after its response belongs to it
    await world.gatehouse.services.flows.afterResponse();
    const toUs = us();
    const cpu = cpuPer(cpu0, cpuSnapshot(procs), run.ok);
    process.stdout.write(
      `${JSON.stringify({ name: `login, ${users} users`, fromUs, toUs, requests: run.ok, rps: run.rps, cpuMsPerLogin: cpu, ...(counting ? { commandsPerLogin: Object.fromEntries([...commands].map(([k, n]) => [k, n / run.ok])) } : {}) })}\n`,
    );
  } finally {
    await world.stop();
  }
} finally {
  await db.stop();
}
process.exit(0);
