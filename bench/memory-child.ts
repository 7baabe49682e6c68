/**
 * Scenario 9's measurement, in a process of its own so RSS is this instance's alone: the big
 * world's main app (1,000 policies, 10,000 users) starting over a database that holds 100,000
 * revocations (written by the parent), then 10,000 distinct tokens verified (and their users'
 * permission memos built), then 10,000 more tokens and users, to show the caches stay bounded.
 *
 *   BENCH_WORLD='{"uri":…,"dbName":…,"secret":…}' BENCH_REVOKED=100000 node --expose-gc dist/bench/memory-child.js
 */
import { performance } from 'node:perf_hooks';
import { MAIN_APP, mainManifest, resolved, USERS } from './world/manifest.js';
import { benchUserId, FIELD_RESOURCES } from './world/seed.js';
import { tokens } from './world/tokens.js';
import { openServices, type WorldAddress } from './world/world.js';

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const settle = () => {
  gc();
  gc();
  return process.memoryUsage();
};
const t0 = performance.now();
const step = (what: string) => {
  const m = process.memoryUsage();
  const f = (n: number) => (n / MB).toFixed(0);
  process.stderr.write(
    `  memory: ${what} at ${((performance.now() - t0) / 1000).toFixed(1)} s: rss ${f(m.rss)} heap ${f(m.heapUsed)}/${f(m.heapTotal)} external ${f(m.external)} MB\n`,
  );
};
step('before start');

const at = JSON.parse(process.env.BENCH_WORLD ?? '') as WorldAddress;
const expected = Number(process.env.BENCH_REVOKED ?? 0);
const world = await openServices(at, resolved(mainManifest()));
const { services } = world;
try {
  const app = services.app(MAIN_APP)!;
  // The feed loaded every unexpired entry at start; a poll racing the parent's writes is caught up by the next.
  for (let i = 0; i < 10 && services.revocations.size() < expected; i++) await services.revocations.poll();
  const revoked = services.revocations.size();
  if (revoked < expected) throw new Error(`the revocation set holds ${revoked}, expected ≥ ${expected}`);
  // Every poll re-reads the overlap window before the newest entry: here, all 100,000 of them.
  const p0 = performance.now();
  await services.revocations.poll();
  const pollMs = performance.now() - p0;
  const fresh = services.revocations.isFresh();
  const staleAfterMs = services.manifest.server.revocation.staleAfterMs;
  const started = settle();
  step(`started, ${revoked} revocations`);

  const authz = services.authz(MAIN_APP);
  const verifyAll = async (list: string[]) => {
    for (const t of list) {
      const v = await services.tokens.verify(t, app);
      if (!v || !authz.can(MAIN_APP, v.userId, FIELD_RESOURCES[0]!, 'read'))
        throw new Error('a bench token did not verify');
    }
  };
  await verifyAll(await tokens(services, MAIN_APP, USERS, 0, USERS));
  const loaded = settle();
  step('10,000 tokens verified');
  await verifyAll(await tokens(services, MAIN_APP, USERS, 1, USERS));
  // Every one of the 10,000 users has a memo; 10,000 other users push them out.
  for (let u = 0; u < USERS; u++) authz.can(MAIN_APP, `${benchUserId(u)}-x`, FIELD_RESOURCES[0]!, 'read');
  const more = settle();
  process.stdout.write(
    `${JSON.stringify({
      revoked,
      pollMs,
      fresh,
      staleAfterMs,
      rssStartMb: started.rss / MB,
      heapStartMb: started.heapUsed / MB,
      rssMb: loaded.rss / MB,
      heapMb: loaded.heapUsed / MB,
      rssAfterMoreMb: more.rss / MB,
      heapAfterMoreMb: more.heapUsed / MB,
    })}\n`,
  );
} finally {
  await world.stop();
}
process.exit(0);
