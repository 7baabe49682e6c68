import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, it } from 'node:test';
import { DEFAULT_POOL_NICE, deprioritizeThreadPool, poolNice } from '../../src/cli/pool-priority.js';

describe('thread-pool priority (POOL_NICE)', () => {
  it('reads POOL_NICE: default 10, 0 allowed, junk refused', () => {
    assert.equal(poolNice({}), DEFAULT_POOL_NICE);
    assert.equal(poolNice({ POOL_NICE: '0' }), 0);
    assert.equal(poolNice({ POOL_NICE: '15' }), 15);
    for (const bad of ['-1', '20', '1.5', 'high']) assert.throws(() => poolNice({ POOL_NICE: bad }), /POOL_NICE/);
  });

  it('lowers every libuv pool thread and leaves the event loop thread alone', {
    skip: process.platform !== 'linux',
  }, async () => {
    const main = getPriority();
    const changed = await deprioritizeThreadPool(DEFAULT_POOL_NICE);
    const workers = readdirSync('/proc/self/task').filter(
      (t) => readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() === 'libuv-worker',
    );
    assert.ok(workers.length >= 1);
    assert.equal(changed, workers.length);
    for (const tid of workers) assert.ok(getPriority(Number(tid)) >= DEFAULT_POOL_NICE, `thread ${tid}`);
    assert.equal(getPriority(), main, 'the event loop keeps its priority');
    assert.equal(await deprioritizeThreadPool(0), 0, 'POOL_NICE=0 changes nothing');
  });
});
