import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localBinDir } from '../paths.js';
import { chooseBackend, type EmbeddedBackend, keepBackend } from './embedded-backend.js';
import { ensureFerretDB, FerretDBProcess } from './ferretdb.js';
import { ensureGinTwins } from './gin-twins.js';
import { freePort, waitForPort } from './net.js';
import { PostgresCluster } from './postgres.js';
import { unprivilegedRunner } from './postgres-bin.js';

export type DatabaseKind = 'external' | 'mongod' | 'ferretdb';

export interface LocalDatabase {
  uri: string;
  kind: DatabaseKind;
  /** The FerretDB child, when that is what runs (fault-injection tests stop, restart and pause it). */
  ferret?: FerretDBProcess;
  /** Which FerretDB backend, when kind is ferretdb. */
  backend?: EmbeddedBackend;
  /** The PostgreSQL cluster under FerretDB, when backend is postgresql (tests run SQL on it). */
  postgres?: PostgresCluster;
  /** Creates the GIN twins of indexes declared since start (the event trigger already does; this is the explicit re-check). */
  ensureGinTwins?(): Promise<number>;
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
 * MONGODB_URI when set → a `mongod` on PATH → FerretDB (installed on first use) on a private
 * PostgreSQL cluster when PostgreSQL is installed, else on SQLite files (see chooseBackend;
 * GATEHOUSE_EMBEDDED_DB=sqlite|postgresql forces one).
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

  const choice = await chooseBackend(dir, env);
  const bin = await ensureFerretDB(localBinDir(), log);
  if (choice.backend === 'postgresql' && choice.bins) {
    const cluster = new PostgresCluster(choice.bins, join(dir, 'postgresql'), await unprivilegedRunner());
    // As root PostgreSQL runs as nobody, which must reach the directory: mkdtemp's are 0700.
    if (temporary && cluster.runAs.uid !== undefined) await chmod(dir, 0o711);
    if (await cluster.usable()) {
      return launchOnPostgres({ bin, cluster, dir, port, log, cleanup, keep: !choice.kept, durable: !temporary });
    }
    const why = `PostgreSQL runs as nobody here (uid 0) and nobody cannot write ${cluster.root}: make its parent directories traversable (chmod o+x), run Gatehouse as a normal user, or set MONGODB_URI`;
    // the directory just made for a cluster that cannot run (never one holding data: that one is kept)
    if (choice.kept !== 'postgresql') await rm(cluster.root, { recursive: true, force: true });
    if (choice.forced) {
      await cleanup();
      throw new Error(why);
    }
    log(`${why}; using SQLite`);
  }
  if (!choice.kept) await keepBackend(dir, 'sqlite');
  const ferret = new FerretDBProcess({ bin, port, dir: join(dir, 'ferretdb') });
  await ferret.start();
  log(`database: FerretDB (SQLite) on 127.0.0.1:${port}, data in ${join(dir, 'ferretdb')}`);
  return {
    uri: ferret.uri,
    kind: 'ferretdb',
    backend: 'sqlite',
    ferret,
    stop: async () => {
      await ferret.stop();
      await cleanup();
    },
  };
}

interface PostgresLaunch {
  bin: string;
  cluster: PostgresCluster;
  dir: string;
  port: number;
  log: (msg: string) => void;
  cleanup: () => Promise<void>;
  /** Record the backend in the data directory (first start). */
  keep: boolean;
  /** false for a temporary directory: no fsync (see PostgresCluster.start). */
  durable: boolean;
}

async function launchOnPostgres({
  bin,
  cluster,
  dir,
  port,
  log,
  cleanup,
  keep,
  durable,
}: PostgresLaunch): Promise<LocalDatabase> {
  let ferret: FerretDBProcess | undefined;
  try {
    await cluster.init(log);
    await cluster.start(await freePort(), { durable });
    if (keep) await keepBackend(dir, 'postgresql');
    const twins = await ensureGinTwins(cluster);
    ferret = new FerretDBProcess({ bin, port, dir: join(dir, 'ferretdb'), postgresqlUrl: cluster.url });
    await ferret.start();
    log(
      `database: FerretDB (PostgreSQL, pid ${cluster.pid}, 127.0.0.1:${cluster.port}) on 127.0.0.1:${port}, data in ${cluster.dataDir}; ${twins} GIN twin indexes`,
    );
  } catch (err) {
    await ferret?.stop();
    await cluster.stop();
    await cleanup();
    throw err;
  }
  const started = ferret;
  return {
    uri: started.uri,
    kind: 'ferretdb',
    backend: 'postgresql',
    ferret: started,
    postgres: cluster,
    ensureGinTwins: () => ensureGinTwins(cluster),
    stop: async () => {
      await started.stop();
      await cluster.stop();
      await cleanup();
    },
  };
}
