/**
 * CPU per database command of the login path, one kind at a time, at 10,000 users: the main
 * thread (driver), FerretDB and PostgreSQL, from /proc. Shows which commands a login could best
 * do without. Starts its own database; prints one JSON object (ms per command).
 */
import { randomUUID } from 'node:crypto';
import { launchDatabase } from '../src/embedded-db/index.js';
import { emailKey } from '../src/identity/user-store.js';
import { graphqlInit } from './lib/inprocess.js';
import { cpuPer, cpuSnapshot } from './lib/proc-cpu.js';
import { loginLoad, worldOf } from './scenarios/login-scale.js';
import { SMALL_APP } from './world/manifest.js';
import { LOGIN } from './world/operations.js';

const users = 10_000;
const n = Number(process.env.BENCH_N ?? 300);
const log = (m: string) => process.stderr.write(`[commands-cost] ${m}\n`);
const db = await launchDatabase({ log });
try {
  const { world, yoga, headers, password } = await worldOf({ dbUri: db.uri, log }, users);
  try {
    const pick = (i: number) => `scale-${(i * 7919) % users}@bench.test`;
    await loginLoad(yoga, (i) => graphqlInit(LOGIN, headers, { input: { email: pick(i), password } }), 3000);
    await world.gatehouse.services.flows.afterResponse();
    const d = world.database.db;
    const procs = { FerretDB: db.ferret?.pid, PostgreSQL: db.postgres?.pid };
    const ids = (
      await d
        .collection('users')
        .find({}, { projection: { _id: 1 } })
        .limit(n)
        .toArray()
    ).map((u) => u._id);
    const only = process.env.BENCH_KINDS?.split(',');
    const kinds: Record<string, (i: number) => Promise<unknown>> = {
      'find users by emailKey': (i) => d.collection('users').findOne({ app: SMALL_APP, emailKey: emailKey(pick(i)) }),
      'find rate_limits newest version': (i) =>
        d.collection('rate_limits').findOne({ key: `acct:${SMALL_APP}:${pick(i)}` }, { sort: { v: -1 } }),
      'insert rate_limits 2 docs': (i) =>
        d.collection('rate_limits').insertMany(
          [0, 1].map((k) => ({
            _id: `bench:${randomUUID()}:${k}` as never,
            key: `bench:${i}`,
            v: k,
            expiresAt: new Date(),
          })),
          { ordered: false },
        ),
      'insert rate_limits 1 doc': (i) =>
        d
          .collection('rate_limits')
          .insertOne({ _id: `bench:${randomUUID()}` as never, key: `bench:${i}`, v: 1, expiresAt: new Date() }),
      'insert sessions': (i) =>
        d.collection('sessions').insertOne({
          _id: randomUUID() as never,
          app: SMALL_APP,
          userId: ids[i % ids.length],
          refreshHash: randomUUID(),
          createdAt: new Date(),
          lastActiveAt: new Date(),
          expiresAt: new Date(Date.now() + 1e9),
          revokedAt: null,
        }),
      'update users lastLoginAt': (i) =>
        d.collection('users').updateOne({ _id: ids[i % ids.length] }, { $set: { lastLoginAt: new Date() } }),
      'bulkWrite 3 × update users lastLoginAt': (i) =>
        d.collection('users').bulkWrite(
          [0, 1, 2].map((k) => ({
            updateOne: {
              filter: { _id: ids[(3 * i + k) % ids.length] },
              update: { $set: { lastLoginAt: new Date() } },
            },
          })),
          { ordered: false },
        ),
      'find sessions of 3 users ($in)': (i) =>
        d
          .collection('sessions')
          .find(
            {
              app: SMALL_APP,
              userId: { $in: [0, 1, 2].map((k) => ids[(3 * i + k) % ids.length]) },
              revokedAt: null,
              expiresAt: { $gt: new Date() },
            },
            { projection: { _id: 1, userId: 1 } },
          )
          .sort({ createdAt: -1, _id: -1 })
          .toArray(),
      'find sessions of a user (eviction)': (i) =>
        d
          .collection('sessions')
          .find(
            { app: SMALL_APP, userId: ids[i % ids.length], revokedAt: null, expiresAt: { $gt: new Date() } },
            { projection: { _id: 1 } },
          )
          .sort({ createdAt: -1, _id: -1 })
          .toArray(),
    };
    const out: Record<string, Record<string, number>> = {};
    for (const [name, run] of Object.entries(kinds)) {
      if (only && !only.some((o) => name.includes(o))) continue;
      for (let i = 0; i < 20; i++) await run(i);
      const before = cpuSnapshot(procs);
      for (let i = 0; i < n; i++) await run(i);
      const per = cpuPer(before, cpuSnapshot(procs), n);
      out[name] = { main: per['node main thread']!, ferret: per.FerretDB!, pg: per.PostgreSQL! };
    }
    process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
  } finally {
    await world.stop();
  }
} finally {
  await db.stop();
}
process.exit(0);
