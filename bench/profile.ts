/**
 * The warm auth-tax path under the CPU profiler: plain Yoga, then Gatehouse, on the ten-field
 * @permission query, each for a fixed time; prints the two windows (process.hrtime, µs) and the
 * request counts so the profile can be cut per window. Run by `npm run bench -- --profile`, or:
 *
 *   BENCH_WORLD='{"uri":…,"dbName":…,"secret":…}' node --cpu-prof dist/bench/profile.js
 */
import { load } from './lib/inprocess.js';
import { taxFixture } from './scenarios/fixture.js';
import { bigManifest, resolved } from './world/manifest.js';
import { openServices, type WorldAddress } from './world/world.js';

const at = JSON.parse(process.env.BENCH_WORLD ?? '') as WorldAddress;
const ms = Number(process.env.BENCH_PROFILE_MS ?? 5000);
const concurrency = 32;
const world = await openServices(at, resolved(bigManifest()));
const us = () => Number(process.hrtime.bigint() / 1000n);
try {
  const fx = await taxFixture({ at, services: world.services });
  const windows: Record<string, { fromUs: number; toUs: number; requests: number }> = {};
  for (const server of ['plain', 'gatehouse'] as const) {
    const run = (durationMs: number) => load(fx[server], fx.initFor('perm10', fx.warm), { concurrency, durationMs });
    await run(ms / 4); // JIT warm-up, outside the window
    const fromUs = us();
    const r = await run(ms);
    windows[server] = { fromUs, toUs: us(), requests: r.requests };
  }
  process.stdout.write(`${JSON.stringify(windows)}\n`);
} finally {
  await world.stop();
}
process.exit(0);
