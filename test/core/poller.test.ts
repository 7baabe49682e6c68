import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPoller, type PollTrigger } from '../../src/core/index.js';

describe('createPoller', () => {
  it('runs on its interval, one run at a time, counting the interval from the end of a run', async () => {
    let active = 0;
    let most = 0;
    const runs: PollTrigger[] = [];
    const poller = createPoller({
      intervalMs: 10,
      async run(trigger) {
        active++;
        most = Math.max(most, active);
        runs.push(trigger);
        await sleep(30); // longer than the interval: a timer must not start a second run
        active--;
      },
    });
    poller.start();
    poller.start(); // idempotent: still one timer
    await Promise.all([sleep(200), poller.now(), poller.now()]);
    poller.stop();
    const seen = runs.length;
    await sleep(80);
    assert.equal(most, 1, 'never two runs at once');
    assert.ok(seen >= 2 && seen <= 7, `about 200 / (30 + 10) runs, got ${seen}`);
    assert.ok(runs.includes('timer') && runs.includes('poke'));
    assert.equal(runs.length, seen, 'no run starts after stop()');
  });

  it('reports failures (the first of a streak as first) and recovery; a poke rejects to its caller', async () => {
    let fail = true;
    const errors: { message: string; first: boolean; trigger: PollTrigger }[] = [];
    let recovered = 0;
    const poller = createPoller({
      intervalMs: 5,
      async run() {
        if (fail) throw new Error('database away');
      },
      onError: (err, first, trigger) => errors.push({ message: (err as Error).message, first, trigger }),
      onRecovered: () => recovered++,
    });
    await assert.rejects(poller.now(), /database away/);
    poller.start();
    await sleep(40);
    assert.ok(errors.length >= 3, 'timer failures are reported, not thrown');
    assert.deepEqual(
      errors.map((e) => e.first),
      [true, ...errors.slice(1).map(() => false)],
    );
    assert.equal(errors[0]!.trigger, 'poke');
    assert.equal(errors[1]!.trigger, 'timer');
    fail = false;
    await sleep(30);
    poller.stop();
    assert.equal(recovered, 1);
  });

  it('now() joins the run in flight; next() waits for it and shares one fresh run', async () => {
    let started = 0;
    let release: () => void = () => {};
    const poller = createPoller({
      intervalMs: 60_000,
      run: () => {
        started++;
        return new Promise<void>((r) => {
          release = r;
        });
      },
    });
    const first = poller.now();
    const joined = poller.now();
    const fresh = [poller.next(), poller.next()];
    assert.equal(started, 1);
    assert.equal(poller.busy, true);
    release();
    await Promise.all([first, joined]);
    await sleep(0);
    assert.equal(started, 2, 'one queued run for both next() callers');
    release();
    await Promise.all(fresh);
    assert.equal(poller.busy, false);
  });
});
