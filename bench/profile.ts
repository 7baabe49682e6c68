/**
 * The auth-tax paths under the CPU profiler, one window each: plain Yoga and Gatehouse (as shipped
 * and with auth-cache) on the ten-field @permission query with warm tokens, and Gatehouse on the
 * @auth query with tokens never seen before. Prints each window (process.hrtime µs) and its request
 * count, so the profile can be cut per window. Run by `npm run bench -- --profile`, or:
 *
 *   BENCH_WORLD='{"uri":…,"dbName":…,"secret":…}' node --cpu-prof dist/bench/profile.js
 *
 * BENCH_PROFILE_SET=first-sight (`npm run bench -- --profile-first-sight`): only scenario 2's
 * servers — plain Yoga and auth-cache on @auth with warm tokens, then auth-cache with EdDSA and
 * HS256 tokens never seen before — with windows long enough to read µs per request. Tokens are
 * minted before a window opens: the windows hold serving only.
 */
import { type InitFor, load } from './lib/inprocess.js';
import { requestsFor, type ServerKind, taxFixture } from './scenarios/fixture.js';
import { ALGORITHM_APPS, bigManifest, resolved } from './world/manifest.js';
import { tokens } from './world/tokens.js';
import { openServices, type WorldAddress } from './world/world.js';

export interface ProfileWindow {
  name: string;
  fromUs: number;
  toUs: number;
  requests: number;
}

const at = JSON.parse(process.env.BENCH_WORLD ?? '') as WorldAddress;
const ms = Number(process.env.BENCH_PROFILE_MS ?? 4000);
const firstSightOnly = process.env.BENCH_PROFILE_SET === 'first-sight';
const concurrency = 32;
const world = await openServices(at, resolved(bigManifest()));
const us = () => Number(process.hrtime.bigint() / 1000n);
try {
  const fx = await taxFixture({ at, services: world.services });
  const windows: ProfileWindow[] = [];
  const measure = async (
    name: string,
    server: ServerKind | 'full',
    initFor: () => Promise<{ initFor: InitFor; count?: number }>,
  ) => {
    const warm = await initFor();
    await load(fx[server], warm.initFor, {
      concurrency,
      durationMs: ms / 4,
      ...(warm.count ? { count: warm.count } : {}),
    });
    const run = await initFor();
    const fromUs = us();
    const r = await load(fx[server], run.initFor, {
      concurrency,
      durationMs: ms,
      ...(run.count ? { count: run.count } : {}),
    });
    windows.push({ name, fromUs, toUs: us(), requests: r.requests });
  };
  const warmPerm10 = async () => ({ initFor: fx.initFor('perm10', fx.warm) });
  if (firstSightOnly) {
    const warmAuth = async () => ({ initFor: fx.initFor('auth', fx.warm) });
    await measure('plain Yoga, warm @auth', 'plain', warmAuth);
    await measure('Gatehouse + auth-cache, warm @auth', 'cached', warmAuth);
  } else {
    await measure('plain Yoga, warm @permission ×10', 'plain', warmPerm10);
    await measure('Gatehouse, warm @permission ×10', 'gatehouse', warmPerm10);
    await measure('Gatehouse + auth-cache, warm @permission ×10', 'cached', warmPerm10);
    await measure('full Gatehouse stack, warm @permission ×10', 'full', warmPerm10);
  }
  let user = 0;
  for (const alg of ['EdDSA', 'HS256'] as const) {
    const slug = ALGORITHM_APPS[alg];
    // Enough fresh tokens to fill the window (≈ 300 / 200 µs a request), each used once.
    const n = firstSightOnly ? Math.ceil(ms / (alg === 'HS256' ? 0.2 : 0.3)) : alg === 'HS256' ? 3000 : 1500;
    const fresh = async () => {
      user += n;
      const inits = requestsFor('auth', await tokens(world.services, slug, n, user), slug);
      return { initFor: (i: number) => inits[i]!, count: n };
    };
    await measure(`Gatehouse + auth-cache, ${alg} token first seen, @auth`, 'cached', fresh);
  }
  process.stdout.write(`${JSON.stringify(windows)}\n`);
} finally {
  await world.stop();
}
process.exit(0);
