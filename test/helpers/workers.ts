import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDatabase } from '../../src/db/index.js';
import type { Gatehouse } from '../../src/gatehouse.js';
import { projectRoot } from '../../src/paths.js';
import { freshDbName, mongoUri, type StartOptions, TEST_SECRET, type TestInstance } from './gatehouse.js';
import { testManifest } from './manifest.js';
import { listeningUrl } from './serve.js';

const WORKERS = 2;

/** No in-process Gatehouse exists: a test that reaches for one must use `inProcess` and do without. */
const absent = new Proxy({} as Gatehouse, {
  get(_, prop) {
    throw new Error(
      `gatehouse.${String(prop)}: this instance is \`serve --workers ${WORKERS}\`; use inProcess(instance)`,
    );
  },
});

/**
 * `./bin/gatehouse serve --workers 2 --port 0` over the run's database, with the test's manifest and
 * env, exactly as an operator starts it. Options that need this process (an injected clock,
 * command monitoring, extra plugins) cannot cross it: asking for them is a mistake in the test.
 */
export async function startWorkers(opts: StartOptions): Promise<TestInstance> {
  for (const k of ['clock', 'monitorCommands', 'plugins'] as const) {
    if (opts[k]) throw new Error(`startGatehouse({ ${k} }) needs an in-process instance, not serve --workers`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'gh-workers-'));
  const dbName = opts.dbName ?? freshDbName();
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(opts.manifest ?? testManifest()));
  const child = spawn(
    join(projectRoot(), 'bin', 'gatehouse'),
    ['serve', '--workers', String(WORKERS), '--port', '0', '--manifest', join(dir, 'manifest.json')],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'test',
        MONGODB_URI: mongoUri(),
        MONGODB_DB: dbName,
        GATEHOUSE_SECRET: TEST_SECRET,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        ...opts.env,
      },
    },
  );
  let url: string;
  try {
    url = await listeningUrl(child);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  // Drained, not kept: request logs and warnings (TEST_LOG_LEVEL=info shows them in a failing run).
  child.stdout?.resume();
  child.stderr?.resume();
  const database = await connectDatabase(mongoUri(), dbName);
  return {
    gatehouse: absent,
    serverPid: child.pid,
    database,
    dbName,
    url,
    origin: new URL(url).origin,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await database.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
