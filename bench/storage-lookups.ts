/**
 * Lookups on the embedded database at scale (issue 15): findOne by `_id`, findOne by a uniquely
 * indexed field and updateOne by `_id`, one at a time, at N documents, on FerretDB over SQLite,
 * over PostgreSQL without the GIN twins, and over PostgreSQL with them.
 *
 *   node dist/bench/storage-lookups.js [--docs 20000] [--ops 200]
 *
 * Each backend gets its own temporary database; the PostgreSQL one is measured twice: first with
 * the twins dropped (FerretDB's own btrees only), then after ensureGinTwins.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type Collection, MongoClient } from 'mongodb';
import { findPostgres, type LocalDatabase, launchDatabase } from '../src/embedded-db/index.js';
import { projectRoot } from '../src/paths.js';
import { quantile } from './lib/stats.js';

const { values } = parseArgs({
  options: { docs: { type: 'string', default: '20000' }, ops: { type: 'string', default: '200' } },
});
const DOCS = Number(values.docs);
const OPS = Number(values.ops);
/** A full scan of SQLite at 20k documents takes most of a second: stop a series after this long. */
const SERIES_BUDGET_MS = 20_000;

interface UserDoc {
  _id: string;
  email: string;
  name: string;
  logins: number;
}

async function seed(coll: Collection<UserDoc>): Promise<void> {
  await coll.createIndex({ email: 1 }, { unique: true });
  for (let i = 0; i < DOCS; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, DOCS - i) }, (_, j) => ({
      _id: `user-${i + j}`,
      email: `user-${i + j}@example.test`,
      name: `User ${i + j}`,
      logins: 0,
    }));
    await coll.insertMany(batch);
  }
}

async function series(fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number; n: number }> {
  for (let i = 0; i < 3; i++) await fn(i); // warm-up: connection, plan caches
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < OPS && performance.now() - start < SERIES_BUDGET_MS; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), n: samples.length };
}

const pick = (i: number) => (i * 7919) % DOCS; // spread over the table, the same sequence everywhere

async function measure(coll: Collection<UserDoc>) {
  return {
    'findOne by _id': await series((i) => coll.findOne({ _id: `user-${pick(i)}` })),
    'findOne by unique field': await series((i) => coll.findOne({ email: `user-${pick(i)}@example.test` })),
    'updateOne by _id': await series((i) => coll.updateOne({ _id: `user-${pick(i)}` }, { $inc: { logins: 1 } })),
  };
}

type Result = Awaited<ReturnType<typeof measure>>;
const results: Record<string, Result> = {};
const log = (m: string) => process.stderr.write(`[storage-lookups] ${m}\n`);

async function onBackend(
  backend: 'sqlite' | 'postgresql',
  run: (local: LocalDatabase, coll: Collection<UserDoc>) => Promise<void>,
) {
  const local = await launchDatabase({ env: { ...process.env, MONGODB_URI: '', GATEHOUSE_EMBEDDED_DB: backend }, log });
  const client = new MongoClient(local.uri);
  try {
    await client.connect();
    const coll = client.db('bench_lookups').collection<UserDoc>('users');
    const t = performance.now();
    await seed(coll);
    log(`${backend}: ${DOCS} documents seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await run(local, coll);
  } finally {
    await client.close();
    await local.stop();
  }
}

await onBackend('sqlite', async (_local, coll) => {
  results.SQLite = await measure(coll);
});
if (await findPostgres()) {
  await onBackend('postgresql', async (local, coll) => {
    const pg = local.postgres!;
    // FerretDB's own btrees only: drop the trigger and the twins it made while seeding
    const twins = (
      await pg.psql(`SELECT schemaname || '.' || indexname FROM pg_indexes WHERE indexdef LIKE '%USING gin%'`)
    )
      .trim()
      .split('\n')
      .filter(Boolean);
    await pg.psql(
      `DROP EVENT TRIGGER IF EXISTS gatehouse_gin_twins; ${twins.map((t) => `DROP INDEX ${t};`).join(' ')}`,
    );
    await pg.psql('ANALYZE');
    results.PostgreSQL = await measure(coll);
    log(`PostgreSQL: ${await local.ensureGinTwins!()} GIN twins`);
    await pg.psql('ANALYZE');
    results['PostgreSQL + GIN twins'] = await measure(coll);
  });
} else log('no PostgreSQL binaries: only SQLite measured');

const ops = Object.keys(results.SQLite!) as (keyof Result)[];
const backends = Object.keys(results);
const lines = [
  `| ${DOCS} documents, p50 (p99) ms | ${backends.join(' | ')} |`,
  `|---|${backends.map(() => '---').join('|')}|`,
  ...ops.map(
    (op) =>
      `| ${op} | ${backends.map((b) => `${results[b]![op].p50.toFixed(1)} (${results[b]![op].p99.toFixed(1)}, n=${results[b]![op].n})`).join(' | ')} |`,
  ),
];
const table = lines.join('\n');
process.stdout.write(`${table}\n`);
const dir = join(projectRoot(), 'bench', 'results');
await mkdir(dir, { recursive: true });
await writeFile(
  join(dir, 'storage-lookups.md'),
  `# Storage lookups (bench/storage-lookups.ts)\n\n${new Date().toISOString()}, FerretDB v1.24.2, one operation at a time.\n\n${table}\n`,
);
