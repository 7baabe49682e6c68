import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { startOwnFerretDB } from '../helpers/own-db.js';

async function pollStatus(url: string, want: number, withinMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < withinMs) {
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === want) return Date.now() - start;
    await sleep(100);
  }
  throw new Error(`${url} did not answer ${want} within ${withinMs} ms`);
}

describe('/readyz follows the database', () => {
  let db: Awaited<ReturnType<typeof startOwnFerretDB>>;
  let gh: TestInstance;
  before(async () => {
    db = await startOwnFerretDB();
    gh = await startGatehouse({ env: { MONGODB_URI: db.uri } });
  });
  after(async () => {
    await gh.close();
    await db.dispose();
  });

  it('turns 503 within 5 s of the database stopping and 200 again when it returns, without a restart', async () => {
    assert.equal((await fetch(`${gh.origin}/readyz`)).status, 200);
    await db.stop();
    const down = await pollStatus(`${gh.origin}/readyz`, 503, 5000);
    assert.ok(down <= 5000);
    assert.equal((await fetch(`${gh.origin}/healthz`)).status, 200, 'liveness stays green');
    await db.start();
    await pollStatus(`${gh.origin}/readyz`, 200, 15_000);
  });

  it('answers 503 quickly while the database is paused (slow, not gone)', async () => {
    await db.pause();
    try {
      const t0 = Date.now();
      const res = await fetch(`${gh.origin}/readyz`);
      assert.equal(res.status, 503);
      assert.ok(Date.now() - t0 < 3500, `took ${Date.now() - t0} ms`);
    } finally {
      db.resume();
    }
    await pollStatus(`${gh.origin}/readyz`, 200, 15_000);
  });
});
