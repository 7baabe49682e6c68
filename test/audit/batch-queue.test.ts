import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBatchQueue } from '../../src/audit/batch-queue.js';

/** A writer that takes a few ms and records what it saw; it fails while `down` is set. */
function slowWriter() {
  const state = { down: false, written: [] as number[], batches: [] as number[], active: 0, maxActive: 0 };
  const write = async (batch: readonly number[]) => {
    state.active++;
    state.maxActive = Math.max(state.maxActive, state.active);
    try {
      await sleep(5);
      if (state.down) throw new Error('database down');
      state.batches.push(batch.length);
      state.written.push(...batch);
      return { refused: 0 };
    } finally {
      state.active--;
    }
  };
  return { state, write };
}

describe('batch queue', () => {
  it('writes in order, in batches, one write at a time, however flushes overlap', async () => {
    const { state, write } = slowWriter();
    const q = createBatchQueue<number>({ maxQueue: 1000, batchSize: 4, flushMs: 1, write, onDrop: () => {} });
    q.start();
    for (let i = 0; i < 30; i++) {
      q.push(i);
      if (i % 7 === 0) void q.flush();
    }
    await q.stop();
    assert.deepEqual(state.written, [...Array(30).keys()]);
    assert.equal(state.maxActive, 1);
    assert.ok(state.batches.every((n) => n <= 4));
  });

  it('keeps a failed batch for the next attempt, and counts refusals and discards as drops', async () => {
    const { state, write } = slowWriter();
    const drops: string[] = [];
    const q = createBatchQueue<number>({
      maxQueue: 3,
      batchSize: 10,
      flushMs: 60_000,
      write,
      onDrop: (n, reason) => drops.push(`${reason}:${n}`),
    });
    state.down = true;
    for (let i = 0; i < 4; i++) q.push(i);
    await assert.rejects(q.flush(), /database down/);
    assert.equal(q.pending(), 3);
    state.down = false;
    await q.flush();
    assert.deepEqual(state.written, [0, 1, 2]);
    q.push(9);
    assert.equal(q.discard(), 1);
    assert.deepEqual(drops, ['full:1', 'discarded:1']);
    assert.equal(q.dropped(), 2);
  });
});
