import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import argon2 from 'argon2';
import type { UserDoc } from '../../src/identity/user-store.js';
import type { BenchContext } from '../context.js';
import { ALL_CPUS, pin, SERVER_CPU } from '../lib/cpu.js';
import { ask, graphqlInit, load, send } from '../lib/inprocess.js';
import { interleaved } from '../lib/rounds.js';
import { differences, quantile, ratios } from '../lib/stats.js';
import { atLeast, atMost, type Row, row } from '../report/rows.js';
import { SMALL_APP } from '../world/manifest.js';
import { CAN, LOGIN, REGISTER, type SignedIn } from '../world/operations.js';

const SCENARIO = '4. Login';
const USERS = 8;
const IN_FLIGHT = 8;
/** The hasher's default cap (src/identity/password-hasher.ts): the thread pool minus one. */
const HASHER_CONCURRENCY = Math.max(1, (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 1);
const PROBE_EVERY_MS = 5;

/**
 * Scenario 4: password logins per second (the whole mutation: rate limits, argon2id, session,
 * token) against raw argon2id verifications at the same parameters and concurrency; and what a
 * login burst does to an authenticated query's p99. The process may use every core here: argon2
 * runs on libuv's pool, and pinning it to the event loop's core would measure a setup nobody runs.
 */
export async function loginScenario(ctx: BenchContext): Promise<Row[]> {
  const { instance } = await ctx.small();
  const yoga = instance.gatehouse.yoga;
  const headers = { 'x-gatehouse-app': SMALL_APP };
  const register = async (tag: string) => {
    const u = {
      email: `${tag}-${randomBytes(4).toString('hex')}@bench.test`,
      password: `Bench-${randomBytes(9).toString('hex')}-Meadow`,
    };
    const r = await ask(yoga, REGISTER, { input: u }, headers);
    const signed = r.data?.register as SignedIn | undefined;
    if (!signed) throw new Error(`register failed: ${JSON.stringify(r.errors)}`);
    return { u, token: signed.accessToken };
  };
  const users: { email: string; password: string }[] = [];
  for (let i = 0; i < USERS; i++) users.push((await register(`login-${i}`)).u);
  // The prober never logs in during the burst: its session is not among those max_per_user evicts.
  const { token } = await register('prober');
  const stored = await instance.database.db
    .collection<UserDoc>('users')
    .findOne({ app: SMALL_APP, email: users[0]!.email });
  if (!stored?.passwordHash) throw new Error('no stored hash for the login user');
  const hash = stored.passwordHash;

  const logins = users.map((u) => graphqlInit(LOGIN, headers, { input: u }));
  const probeInit = graphqlInit(CAN, { ...headers, authorization: `Bearer ${token}` });
  await send(yoga, probeInit);

  /** Sequential authenticated queries, one every few ms, until `done` settles; latencies (ms). */
  const probe = async (done: Promise<unknown>) => {
    let over = false;
    void done.finally(() => {
      over = true;
    });
    const lat: number[] = [];
    while (!over) {
      const s = performance.now();
      await send(yoga, probeInit);
      lat.push(performance.now() - s);
      await sleep(PROBE_EVERY_MS);
    }
    return lat;
  };
  const ms = ctx.config.burstMs;
  const rawVerify = async () => {
    let done = 0;
    const t0 = performance.now();
    const deadline = t0 + ms;
    await Promise.all(
      Array.from({ length: HASHER_CONCURRENCY }, async () => {
        while (performance.now() < deadline) {
          if (!(await argon2.verify(hash, users[0]!.password))) throw new Error('raw argon2 verify failed');
          done++;
        }
      }),
    );
    return { rate: (done * 1000) / (performance.now() - t0) };
  };

  pin(process.pid, ALL_CPUS);
  try {
    await load(yoga, (i) => logins[i % USERS]!, { concurrency: IN_FLIGHT, count: 2 * USERS }); // warm-up
    const runs = await interleaved(['login', 'argon2', 'quiet'], ctx.config.rounds, async (name) => {
      if (name === 'argon2') return { ...(await rawVerify()), p99: Number.NaN };
      if (name === 'quiet') {
        const lat = await probe(sleep(ms));
        return { rate: Number.NaN, p99: quantile(lat, 0.99) };
      }
      const burst = load(yoga, (i) => logins[i % USERS]!, { concurrency: IN_FLIGHT, durationMs: ms });
      const lat = await probe(burst);
      return { rate: (await burst).rps, p99: quantile(lat, 0.99) };
    });
    const of = (name: string, k: 'rate' | 'p99') => runs[name]!.map((r) => r[k]);
    return [
      row(SCENARIO, `logins/s (in-process, ${IN_FLIGHT} in flight)`, of('login', 'rate'), '/s'),
      row(
        SCENARIO,
        `raw argon2id verifications/s (same params, ${HASHER_CONCURRENCY} at once)`,
        of('argon2', 'rate'),
        '/s',
      ),
      row(
        SCENARIO,
        'login ÷ raw argon2id verification rate',
        ratios(of('login', 'rate'), of('argon2', 'rate')),
        '×',
        atLeast(0.9),
      ),
      row(SCENARIO, 'authenticated query p99, no burst', of('quiet', 'p99'), 'ms'),
      row(
        SCENARIO,
        'authenticated query p99 added by a login burst',
        differences(of('login', 'p99'), of('quiet', 'p99')),
        'ms',
        atMost(2),
        `one query every ${PROBE_EVERY_MS} ms during the burst`,
      ),
    ];
  } finally {
    pin(process.pid, SERVER_CPU);
  }
}
