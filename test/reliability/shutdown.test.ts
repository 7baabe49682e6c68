import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectDatabase } from '../../src/db/index.js';
import { RelMeDocument, RelRegisterDocument } from '../generated/graphql.js';
import { freshDbName, mongoUri } from '../helpers/gatehouse.js';
import { listeningUrl, spawnGatehouse } from '../helpers/serve.js';
import { strongPassword, uniqueEmail } from '../helpers/users.js';
import { note } from './support/flags.js';
import { call, type Outcome, transportProblem } from './support/http.js';
import { APP, reliabilityManifest } from './support/manifest.js';
import { round } from './support/wait.js';

const exitOf = (child: ChildProcess) =>
  new Promise<number | string>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code, signal) => resolve(code ?? String(signal)));
  });

describe('graceful shutdown of `gatehouse serve` under load', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  const dbName = freshDbName();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-shutdown-'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(reliabilityManifest()));
  });
  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('SIGTERM with registrations in flight: every request taken up completes, every acknowledged write (and its audit event) is stored, nothing half-done, exit 0', {
    timeout: 90_000,
  }, async () => {
    child = spawnGatehouse(['serve'], dir, dbName); // anything it writes (./.gatehouse) stays in `dir`
    const exited = exitOf(child);
    const url = await listeningUrl(child, 60_000);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/graphql$/);

    // Warm-up: the first registration also proves the server serves.
    const first = await call(url, RelRegisterDocument, {
      input: { email: uniqueEmail('warm'), password: strongPassword() },
    });
    assert.ok(first.data?.register, first.text.slice(0, 300));

    // 24 registrations (argon2: several hundred ms in all, queued behind the hashing semaphore) and
    // some protected reads, all on their own connections, then SIGTERM while they are being served.
    const accounts = Array.from({ length: 24 }, () => ({ email: uniqueEmail('inflight'), password: strongPassword() }));
    const writes = accounts.map((input) => call(url, RelRegisterDocument, { input }, { timeoutMs: 30_000 }));
    const reads = Array.from({ length: 8 }, () =>
      call(url, RelMeDocument, {}, { token: first.data!.register.accessToken!, timeoutMs: 30_000 }),
    );
    await sleep(150);
    const termAt = performance.now();
    child.kill('SIGTERM');

    const done: Outcome<{ register: unknown }>[] = await Promise.all(writes);
    const readsDone = await Promise.all(reads);
    const code = await Promise.race([exited, sleep(15_000).then(() => 'still running 15 s after SIGTERM')]);
    const exitMs = performance.now() - termAt;
    const served = done.filter((o) => o.status !== 0 && o.sentAt + o.ms > termAt);
    note(
      `shutdown: ${served.length} of ${done.length} registrations answered after SIGTERM (the last ${round(Math.max(0, ...served.map((o) => o.sentAt + o.ms - termAt)))} ms after it); exit ${code} after ${round(exitMs)} ms`,
    );

    assert.equal(code, 0);
    // Answered requests: complete and right. Unanswered ones (reset) must never have reached the
    // application: no write of theirs may exist (checked below). KNOWN GAP (README): requests still
    // unread when SIGTERM arrives (busy event loop) are reset instead of served.
    const answered = done.filter((o) => o.status !== 0);
    const reset = accounts.filter((_, i) => done[i]!.status === 0);
    note(
      `shutdown: ${answered.length} answered, ${reset.length} reset (${[...new Set(done.filter((o) => o.status === 0).map((o) => o.failure))].join(',')})`,
    );
    assert.ok(served.length > 0, 'nothing was in flight at SIGTERM: the test proved nothing');
    for (const [i, o] of done.entries()) {
      if (o.status === 0) continue;
      assert.equal(transportProblem(o), undefined, `registration ${i}`);
      assert.ok(
        o.data?.register,
        `registration ${i} in flight at SIGTERM did not complete: ${o.status} ${o.text.slice(0, 200)}`,
      );
    }
    for (const o of readsDone)
      assert.ok(
        o.status === 0 || (o.data && 'me' in o.data),
        `a read in flight at SIGTERM: ${o.status} ${o.text.slice(0, 200)}`,
      );
    // After the exit nobody answers.
    const late = await call(url, RelMeDocument, {}, { timeoutMs: 2000 });
    assert.equal(late.status, 0);

    // Every acknowledged registration is stored, with its session and its audit event; a reset one left nothing.
    const db = await connectDatabase(mongoUri(), dbName);
    try {
      const acked = accounts.filter((_, i) => done[i]!.data?.register).map((a) => a.email);
      const users = await db.db
        .collection<{ _id: string; email: string }>('users')
        .find({ app: APP, email: { $in: acked } })
        .toArray();
      assert.equal(users.length, acked.length, 'acknowledged registrations missing from the database');
      const ids = users.map((u) => u._id);
      assert.equal(
        await db.db.collection('sessions').countDocuments({ app: APP, userId: { $in: ids }, revokedAt: null }),
        acked.length,
      );
      const audited = await db.db
        .collection('audit_events')
        .countDocuments({ app: APP, type: 'register', userId: { $in: ids } });
      note(`shutdown: ${users.length} users, ${audited} register audit events stored after the exit`);
      assert.equal(audited, acked.length, 'audit events queued at SIGTERM were lost');
      const phantoms = await db.db
        .collection('users')
        .countDocuments({ app: APP, email: { $in: reset.map((a) => a.email) } });
      assert.equal(phantoms, 0, 'a request reset at shutdown had written a user: the client was not told');
    } finally {
      await db.db.dropDatabase().catch(() => {});
      await db.close();
    }
  });
});
