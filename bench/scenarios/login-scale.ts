import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import argon2 from 'argon2';
import type { MongoClientOptions } from 'mongodb';
import type { UserDoc } from '../../src/identity/user-store.js';
import { emailKey } from '../../src/identity/user-store.js';
import type { BenchContext } from '../context.js';
import { ALL_CPUS, pin } from '../lib/cpu.js';
import { ask, BadResponseError, type FetchTarget, graphqlInit, type InitFor, send } from '../lib/inprocess.js';
import { quantile } from '../lib/stats.js';
import { atLeast, atMost, type Row, row } from '../report/rows.js';
import { resolved, SMALL_APP, smallManifest } from '../world/manifest.js';
import { CAN, LOGIN, REFRESH, REGISTER, type SignedIn } from '../world/operations.js';
import { type GatehouseWorld, newDbName, newSecret, openGatehouse } from '../world/world.js';

const SCENARIO = '12. Login at scale';
const SIZES = [100, 10_000, 100_000] as const;
const IN_FLIGHT = 8;
const HASHER_CONCURRENCY = Math.max(1, (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 1);
const SEED_BATCH = 5000;

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  failed: number;
}

/**
 * Logins for `ms` with `IN_FLIGHT` at once. A refused login (a lookup that outlasts the database
 * timeout, an argon2 queue that stays full) is counted, not thrown: at scale that is the finding.
 */
export async function loginLoad(yoga: FetchTarget, initFor: InitFor, ms: number): Promise<Measured & { ok: number }> {
  const lat: number[] = [];
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() - t0 < ms) {
        const s = performance.now();
        try {
          await send(yoga, initFor(next++));
          lat.push(performance.now() - s);
        } catch (err) {
          if (!(err instanceof BadResponseError)) throw err;
          failed++;
        }
        await sleep(0);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  return {
    ok: lat.length,
    failed,
    rps: (lat.length * 1000) / elapsed,
    p50: lat.length ? quantile(lat, 0.5) : Number.NaN,
    p99: lat.length ? quantile(lat, 0.99) : Number.NaN,
  };
}

/** argon2id verifications per second, HASHER_CONCURRENCY at once, for `ms`. */
async function rawArgon2(hash: string, password: string, ms: number): Promise<number> {
  let done = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: HASHER_CONCURRENCY }, async () => {
      while (performance.now() - t0 < ms) {
        if (!(await argon2.verify(hash, password))) throw new Error('raw argon2 verify failed');
        done++;
      }
    }),
  );
  return (done * 1000) / (performance.now() - t0);
}

/** A world of `users` accounts sharing one password, inserted through the store's layout (no argon2 per user). */
export async function worldOf(
  ctx: Pick<BenchContext, 'dbUri' | 'log'>,
  users: number,
  client: MongoClientOptions = {},
) {
  const at = { uri: ctx.dbUri, dbName: newDbName(`scale${users}`), secret: newSecret() };
  const world: GatehouseWorld = await openGatehouse(at, resolved(smallManifest()), client);
  const yoga = world.gatehouse.yoga;
  const headers = { 'x-gatehouse-app': SMALL_APP };
  const password = `Bench-${randomBytes(9).toString('hex')}-Harbor`;
  const first = { email: `scale-0@bench.test`, password };
  const r = await ask(yoga, REGISTER, { input: first }, headers);
  if (!r.data?.register) throw new Error(`register failed: ${JSON.stringify(r.errors)}`);
  const users_ = world.database.db.collection<UserDoc>('users');
  const hash = (await users_.findOne({ app: SMALL_APP, email: first.email }))!.passwordHash!;
  const t0 = performance.now();
  for (let i = 1; i < users; i += SEED_BATCH) {
    const docs: UserDoc[] = [];
    for (let k = i; k < Math.min(users, i + SEED_BATCH); k++) {
      const email = `scale-${k}@bench.test`;
      docs.push({
        _id: randomUUID(),
        app: SMALL_APP,
        email,
        emailKey: emailKey(email),
        passwordHash: hash,
        kind: 'PASSWORD',
        deviceId: null,
        createdAt: new Date(),
        lastLoginAt: null,
      });
    }
    await users_.insertMany(docs, { ordered: false });
  }
  ctx.log(
    `login at scale: ${users.toLocaleString('en')} users seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { world, yoga, headers, password, hash };
}

/**
 * Issue 15, item 4: password logins per second and their latency with 100, 10,000 and 100,000
 * users in the app, against raw argon2id at the same parameters; then a soak of mixed traffic
 * whose login p50 must stay within 1.2× of its first minute. Logins pick accounts spread over the
 * whole collection, so a lookup that scans shows up as it grows.
 */
export async function loginScale(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  const at: Record<number, Measured & { raw: number }> = {};
  const ms = Math.max(2000, ctx.config.roundMs * 3);
  pin(process.pid, ALL_CPUS);
  for (const size of SIZES) {
    const { world, yoga, headers, password, hash } = await worldOf(ctx, size);
    try {
      const pick = (i: number) => `scale-${(i * 7919) % size}@bench.test`;
      const initFor = (i: number) => graphqlInit(LOGIN, headers, { input: { email: pick(i), password } });
      await loginLoad(yoga, initFor, 300); // warm-up
      // Raw argon2 right before and right after the logins, half as long each: on a shared
      // machine the load drifts, and a ratio of two moments apart measures the drift.
      const before = await rawArgon2(hash, password, ms / 2);
      const run = await loginLoad(yoga, initFor, ms);
      const after = await rawArgon2(hash, password, ms / 2);
      at[size] = { ...run, raw: (before + after) / 2 };
      const label = `${size.toLocaleString('en')} users`;
      const note = `${run.ok} logins, ${run.failed} refused, ${IN_FLIGHT} in flight, ${ctx.dbKind}`;
      rows.push(
        row(SCENARIO, `logins/s, ${label}`, run.rps, '/s', undefined, note),
        row(SCENARIO, `login p50, ${label}`, run.p50, 'ms', undefined, note),
        row(SCENARIO, `login p99, ${label}`, run.p99, 'ms', undefined, note),
        row(SCENARIO, `logins refused, ${label}`, run.failed, '', atMost(0), note),
        row(
          SCENARIO,
          `raw argon2id verifications/s (${HASHER_CONCURRENCY} at once), around the ${label} run`,
          at[size]!.raw,
          '/s',
          undefined,
          `${before.toFixed(1)} before, ${after.toFixed(1)} after`,
        ),
      );
    } finally {
      await world.stop();
    }
  }
  rows.push(
    row(SCENARIO, 'login ÷ raw argon2id at 10,000 users', at[10_000]!.rps / at[10_000]!.raw, '×', atLeast(0.8)),
    row(SCENARIO, 'login p50 at 100,000 ÷ at 100 users', at[100_000]!.p50 / at[100]!.p50, '×', atMost(1.3)),
    ...(await soak(ctx)),
  );
  return rows;
}

/** Mixed traffic for `ctx.config.soakMinutes` at 10,000 users: logins, refreshes, authenticated reads. */
async function soak(ctx: BenchContext): Promise<Row[]> {
  const minutes = ctx.config.soakMinutes;
  const { world, yoga, headers, password } = await worldOf(ctx, 10_000);
  const perMinute: number[][] = [];
  let refused = 0;
  try {
    const t0 = performance.now();
    let stop = false;
    const loginLoop = async (lane: number) => {
      for (let i = lane; !stop; i += 4) {
        const s = performance.now();
        const r = await ask(
          yoga,
          LOGIN,
          { input: { email: `scale-${(i * 7919) % 10_000}@bench.test`, password } },
          headers,
        );
        const signed = r.data?.login as SignedIn | undefined;
        if (!signed) {
          refused++;
          continue;
        }
        const minute = Math.floor((performance.now() - t0) / 60_000);
        const bucket = perMinute[minute] ?? [];
        perMinute[minute] = bucket;
        bucket.push(performance.now() - s);
        await send(yoga, graphqlInit(CAN, { ...headers, authorization: `Bearer ${signed.accessToken}` }));
        await ask(yoga, REFRESH, { token: signed.refreshToken }, headers);
        await sleep(20);
      }
    };
    const lanes = Array.from({ length: 4 }, (_, lane) => loginLoop(lane));
    await sleep(minutes * 60_000);
    stop = true;
    await Promise.all(lanes);
  } finally {
    await world.stop();
  }
  const first = quantile(perMinute[0] ?? [], 0.5);
  const last = quantile(perMinute[Math.max(0, minutes - 1)] ?? [], 0.5);
  const note = `${minutes} min, ${perMinute.flat().length} logins (+ a read and a refresh each), ${refused} refused`;
  return [
    row(SCENARIO, 'soak: login p50, first minute', first, 'ms', undefined, note),
    row(SCENARIO, 'soak: login p50, last minute', last, 'ms', undefined, note),
    row(SCENARIO, 'soak: last ÷ first minute login p50', last / first, '×', atMost(1.2), note),
  ];
}
