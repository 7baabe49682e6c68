import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { TestInstance } from '../helpers/gatehouse.js';
import { startWorkers } from '../helpers/workers.js';

const run = promisify(execFile);

/**
 * The process layout of `serve --workers 2`. What runs on it — the identity and authorization
 * suites — is in test/workers/ (each suite of test/e2e again, with startGatehouse spawning serve).
 */
describe('serve --workers 2', () => {
  let gh: TestInstance;
  before(async () => {
    gh = await startWorkers({});
  });
  after(() => gh?.close());

  it('runs two worker processes behind the one port, and stops them with the primary', async () => {
    const { stdout } = await run('pgrep', ['-P', String(gh.serverPid)]);
    const workers = stdout.trim().split('\n');
    assert.equal(workers.length, 2, 'the primary has two workers');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => fetch(new URL('/healthz', gh.url), { headers: { connection: 'close' } })),
    );
    assert.ok(answers.every((a) => a.status === 200));
    await gh.close();
    for (const pid of workers) assert.throws(() => process.kill(Number(pid), 0), 'worker gone after SIGTERM');
  });
});
