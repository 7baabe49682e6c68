/**
 * Scenario 9's measurement, in a process of its own so RSS is this instance's alone:
 * 100,000 entries in the revocation set, then 10,000 distinct tokens verified (and their users'
 * permission memos built), then 10,000 more to show the caches stay bounded.
 *
 *   BENCH_WORLD='{"uri":…,"dbName":…,"secret":…}' node --expose-gc dist/bench/memory-child.js
 */
import { randomBytes } from 'node:crypto';
import { bigManifest, MAIN_APP, resolved, USERS } from './world/manifest.js';
import { benchUserId, FIELD_RESOURCES } from './world/seed.js';
import { tokens } from './world/tokens.js';
import { openServices, type WorldAddress } from './world/world.js';

const REVOKED = 100_000;
const MB = 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const settle = () => {
  gc();
  gc();
  return process.memoryUsage();
};

const at = JSON.parse(process.env.BENCH_WORLD ?? '') as WorldAddress;
const world = await openServices(at, resolved(bigManifest()));
const { services } = world;
try {
  const app = services.app(MAIN_APP)!;
  const before = settle();

  // Published in bulk as logouts would: the database first, then every instance's set.
  const now = Date.now();
  const coll = world.database.db.collection('revocations');
  for (let i = 0; i < REVOKED; i += 10_000) {
    await coll.insertMany(
      Array.from({ length: 10_000 }, (_, k) => ({
        app: MAIN_APP,
        sid: `mem-${i + k}-${randomBytes(4).toString('hex')}`,
        reason: 'logout',
        at: new Date(now),
        expiresAt: new Date(now + 3_600_000),
      })),
      { ordered: false },
    );
  }
  await services.revocations.poll();
  const revoked = services.revocations.size();
  if (revoked < REVOKED) throw new Error(`the revocation set holds ${revoked}, expected ≥ ${REVOKED}`);

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
  await verifyAll(await tokens(services, MAIN_APP, USERS, 1, USERS));
  const more = settle();
  // Every one of the 10,000 users has a memo; the next distinct ones push the oldest out.
  for (let u = 0; u < USERS; u++) authz.can(MAIN_APP, `${benchUserId(u)}-x`, FIELD_RESOURCES[0]!, 'read');
  const users = settle();
  process.stdout.write(
    `${JSON.stringify({
      revoked,
      rssStartMb: before.rss / MB,
      rssMb: loaded.rss / MB,
      heapMb: loaded.heapUsed / MB,
      rssAfterMoreTokensMb: more.rss / MB,
      rssAfterMoreUsersMb: users.rss / MB,
    })}\n`,
  );
} finally {
  await world.stop();
}
process.exit(0);
