import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFerretDB, FerretDBProcess } from './ferretdb.js';
import { freePort, waitForPort } from './net.js';
import { localBinDir } from './paths.js';

export type DatabaseKind = 'external' | 'mongod' | 'ferretdb';

export interface LocalDatabase {
  uri: string;
  kind: DatabaseKind;
  /** The FerretDB child, when that is what runs (fault-injection tests stop, restart and pause it). */
  ferret?: FerretDBProcess;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  /** Keep data here (serve); without it, a temporary directory removed on stop (tests, benchmarks). */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: (msg: string) => void;
}

function onPath(cmd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore', env });
    p.once('exit', (code) => resolve(code === 0));
    p.once('error', () => resolve(false));
  });
}

/**
 * The database the gateway, the tests and the benchmarks use, in this order:
 * MONGODB_URI when set → a `mongod` on PATH → FerretDB (installed on first use).
 */
export async function launchDatabase(opts: LaunchOptions = {}): Promise<LocalDatabase> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  if (env.MONGODB_URI) return { uri: env.MONGODB_URI, kind: 'external', stop: async () => {} };

  const temporary = !opts.dataDir;
  const dir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'gatehouse-db-')));
  await mkdir(dir, { recursive: true });
  const cleanup = async () => {
    if (temporary) await rm(dir, { recursive: true, force: true });
  };
  const port = await freePort();

  if (await onPath('mongod', env)) {
    const dbPath = join(dir, 'mongod');
    await mkdir(dbPath, { recursive: true });
    const child = spawn('mongod', ['--dbpath', dbPath, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'], {
      stdio: 'ignore',
    });
    let exited: string | undefined;
    child.once('exit', (c) => {
      exited = `mongod exited with ${c}`;
    });
    await waitForPort(port, 30_000, () => exited);
    log(`database: mongod on 127.0.0.1:${port}`);
    return {
      uri: `mongodb://127.0.0.1:${port}/`,
      kind: 'mongod',
      stop: async () => {
        if (child.exitCode === null) {
          const done = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await done;
        }
        await cleanup();
      },
    };
  }

  const bin = await ensureFerretDB(localBinDir(), log);
  const ferret = new FerretDBProcess({ bin, port, dir: join(dir, 'ferretdb') });
  await ferret.start();
  log(`database: FerretDB (SQLite) on 127.0.0.1:${port}, data in ${join(dir, 'ferretdb')}`);
  return {
    uri: ferret.uri,
    kind: 'ferretdb',
    ferret,
    stop: async () => {
      await ferret.stop();
      await cleanup();
    },
  };
}
