/**
 * The embedded database on PostgreSQL: its own cluster in a temporary directory (not the run's
 * database), reached over the wire through FerretDB with the real driver.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { type Db, MongoClient } from 'mongodb';
import { findPostgres, LIST_TWINS_SQL, type LocalDatabase, launchDatabase } from '../../src/embedded-db/index.js';

const pg = await findPostgres();

/** Every process whose parent is `pid` (the postmaster's checkpointer, walwriter, backends…). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const [state, ppid] = st.slice(st.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === pid && state !== 'Z') out.push(Number(entry));
  }
  return out;
}

async function running(pid: number): Promise<boolean> {
  const st = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return st !== '' && st[st.lastIndexOf(')') + 2] !== 'Z';
}

describe('embedded database on PostgreSQL', { skip: pg ? false : 'no PostgreSQL binaries here' }, () => {
  let local: LocalDatabase;
  let client: MongoClient;
  let db: Db;

  before(async () => {
    local = await launchDatabase({ env: { ...process.env, MONGODB_URI: '', GATEHOUSE_EMBEDDED_DB: 'postgresql' } });
    client = new MongoClient(local.uri, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    db = client.db('gh_pg_test');
  });
  after(async () => {
    await client?.close();
    await local?.stop();
  });

  it('says it is FerretDB on PostgreSQL, with its cluster listening on 127.0.0.1 only', async () => {
    assert.equal(local.kind, 'ferretdb');
    assert.equal(local.backend, 'postgresql');
    assert.ok(local.postgres?.pid);
    const listen = await local.postgres.psql('SHOW listen_addresses');
    assert.equal(listen.trim(), '127.0.0.1');
    // the cluster is not root's: PostgreSQL refuses root, and as root it runs as nobody
    const owner = (await stat(local.postgres.dataDir)).uid;
    if (process.getuid?.() === 0) assert.notEqual(owner, 0);
  });

  it('CRUD over the driver', async () => {
    const coll = db.collection<{ _id: string; name: string; n: number }>('crud');
    await coll.insertOne({ _id: 'a', name: 'alpha', n: 1 });
    await coll.insertMany([
      { _id: 'b', name: 'beta', n: 2 },
      { _id: 'c', name: 'gamma', n: 3 },
    ]);
    assert.equal((await coll.findOne({ name: 'beta' }))?._id, 'b');
    await coll.updateOne({ _id: 'a' }, { $set: { name: 'ALPHA' }, $inc: { n: 10 } });
    assert.deepEqual(await coll.findOne({ _id: 'a' }), { _id: 'a', name: 'ALPHA', n: 11 });
    assert.equal((await coll.deleteOne({ _id: 'c' })).deletedCount, 1);
    assert.deepEqual(
      (await coll.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d._id),
      ['a', 'b'],
    );
  });

  it('a unique index holds under 30 concurrent inserts of the same key', async () => {
    const coll = db.collection<{ email: string; i: number }>('uniq');
    await coll.createIndex({ email: 1 }, { unique: true });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => coll.insertOne({ email: 'same@example.test', i })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(await coll.countDocuments({ email: 'same@example.test' }), 1);
  });

  it('an index declared through the driver gets its GIN twin, and explain uses it', async () => {
    const coll = db.collection<{ email: string; tenant: string; n: number }>('twins');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.createIndex({ tenant: 1, n: 1 });
    const docs = Array.from({ length: 3000 }, (_, i) => ({ email: `u${i}@x.test`, tenant: `t${i % 7}`, n: i }));
    await coll.insertMany(docs);
    const meta = await local.postgres!.psql(
      `SELECT _jsonb->>'table' FROM gh_pg_test._ferretdb_database_metadata WHERE _jsonb->>'_id' = 'twins'`,
    );
    const table = meta.trim();
    assert.match(table, /^twins_/);
    const twins = (await local.postgres!.psql(LIST_TWINS_SQL)).split('\n').filter((l) => l.includes(`.${table} `));
    assert.equal(twins.length, 3, twins.join('\n')); // _id, email, (tenant, n)
    // no pending list for lookups to read through
    const options = await local.postgres!.psql(
      `SELECT reloptions FROM pg_class WHERE relname LIKE '${table}_gin_%' ORDER BY relname`,
    );
    assert.deepEqual(options.trim().split('\n'), Array(3).fill('{fastupdate=off}'));
    await local.postgres!.psql(`ANALYZE gh_pg_test.${table}`);
    for (const filter of [{ email: 'u1234@x.test' }, { tenant: 't3', n: 10 }]) {
      const plan = JSON.stringify((await coll.find(filter).explain()).queryPlanner);
      assert.match(plan, /Bitmap Index Scan/, plan);
      assert.match(plan, new RegExp(`${table}_gin_`), plan);
    }
    assert.equal((await coll.findOne({ email: 'u1234@x.test' }))?.n, 1234);
  });

  it('ensureGinTwins is idempotent and covers every FerretDB index; a twin made with fastupdate on is turned off', async () => {
    const twin = (
      await local.postgres!.psql(`SELECT relname FROM pg_class WHERE relname LIKE 'twins_%_gin_%' LIMIT 1`)
    ).trim();
    await local.postgres!.psql(`ALTER INDEX gh_pg_test.${twin} SET (fastupdate = on)`);
    const first = await local.ensureGinTwins!();
    const second = await local.ensureGinTwins!();
    assert.equal(first, second);
    const count = Number(
      (await local.postgres!.psql(`SELECT count(*) FROM pg_indexes WHERE indexdef LIKE '%USING gin%'`)).trim(),
    );
    assert.equal(count, first);
    const after = await local.postgres!.psql(`SELECT reloptions FROM pg_class WHERE relname = '${twin}'`);
    assert.equal(after.trim(), '{fastupdate=off}');
  });

  it('stop ends the postmaster and every process of the cluster', async () => {
    const pid = local.postgres!.pid!;
    const children = await childrenOf(pid);
    assert.ok(children.length >= 3, `postmaster ${pid} has ${children.length} children`); // checkpointer, writers, backends
    await client.close();
    await local.stop();
    assert.equal(await running(pid), false);
    for (const c of children) assert.equal(await running(c), false, `postgres child ${c} still runs`);
  });
});
