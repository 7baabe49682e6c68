import { type ChildProcess, execFile } from 'node:child_process';
import { access, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { withFileLock } from './file-lock.js';
import { waitForPort } from './net.js';
import { spawnLogged } from './process.js';

const run = promisify(execFile);

export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
export const FERRETDB_VERSION = 'v1.24.2';

/**
 * Installs FerretDB from the Go module proxy into `binDir` when it is not there yet.
 *
 * Why not a plain `go install …@v1.24.2`: the module's `build/version/version.txt` is empty
 * (it is generated in FerretDB's own release pipeline), and a binary built from it panics at
 * start-up. So we download the same module, write the version file it expects, and build it.
 */
export async function ensureFerretDB(binDir: string, log: (msg: string) => void = () => {}): Promise<string> {
  const bin = join(binDir, 'ferretdb');
  if (await exists(bin)) return bin;
  await mkdir(binDir, { recursive: true });
  return withFileLock(join(binDir, '.install.lock'), async () => {
    if (await exists(bin)) return bin; // another process installed it while we waited
    await run('go', ['version']).catch(() => {
      throw new Error(
        'No database available: MONGODB_URI is not set, no `mongod` is on PATH, and Go (needed to build FerretDB) is not installed.',
      );
    });
    log(`installing FerretDB ${FERRETDB_VERSION} (go module download + build, about a minute on first run)…`);
    const { stdout } = await run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], {
      maxBuffer: 1 << 20,
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    });
    const moduleDir = (JSON.parse(stdout) as { Dir: string }).Dir;
    const src = join(tmpdir(), `gatehouse-ferretdb-src-${process.pid}-${Date.now()}`);
    try {
      await cp(moduleDir, src, { recursive: true });
      await run('chmod', ['-R', 'u+w', src]);
      await writeFile(join(src, 'build/version/version.txt'), `${FERRETDB_VERSION}\n`);
      const tmpBin = `${bin}.tmp-${process.pid}`;
      await run('go', ['build', '-buildvcs=false', '-o', tmpBin, './cmd/ferretdb'], {
        cwd: src,
        maxBuffer: 16 << 20,
        env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
      });
      await rename(tmpBin, bin);
    } finally {
      await rm(src, { recursive: true, force: true });
    }
    log(`FerretDB installed at ${bin}`);
    return bin;
  });
}

export interface FerretDBOptions {
  bin: string;
  port: number;
  /** Holds the SQLite files (`data/`) and FerretDB's own state (`state/`). */
  dir: string;
  logFile?: string;
  /** Use the PostgreSQL handler on this database instead of SQLite files in `dir/data`. */
  postgresqlUrl?: string;
}

/** A FerretDB child process that can be stopped, started again on the same data and port, or paused. */
export class FerretDBProcess {
  #child: ChildProcess | undefined;
  constructor(readonly options: FerretDBOptions) {}

  get uri(): string {
    return `mongodb://127.0.0.1:${this.options.port}/`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    const { bin, port, dir, postgresqlUrl } = this.options;
    if (!postgresqlUrl) await mkdir(join(dir, 'data'), { recursive: true });
    await mkdir(join(dir, 'state'), { recursive: true });
    const { child, exited } = spawnLogged(
      bin,
      [
        ...(postgresqlUrl ? ['--handler=postgresql'] : ['--handler=sqlite', `--sqlite-url=file:${join(dir, 'data')}/`]),
        `--state-dir=${join(dir, 'state')}`,
        `--listen-addr=127.0.0.1:${port}`,
        '--telemetry=disable',
        '--debug-addr=-',
        '--log-level=error',
      ],
      // The URL carries the cluster's password: by environment, so that `ps` does not show it.
      postgresqlUrl ? { ...process.env, FERRETDB_POSTGRESQL_URL: postgresqlUrl } : process.env,
      this.options.logFile ?? join(dir, 'ferretdb.log'),
    );
    this.#child = child;
    try {
      await waitForPort(port, 30_000, exited);
      // The port answering is not proof it is ours: another process may have taken it while this
      // one was stopped, and then FerretDB exits at once on the failed bind.
      await sleep(150);
      if (exited()) throw new Error(`${exited()} after the port opened (taken by another process?)`);
    } catch (err) {
      await this.stop();
      throw new Error(
        `FerretDB did not start on 127.0.0.1:${port}: ${(err as Error).message} (see ${dir}/ferretdb.log)`,
      );
    }
  }

  /** Stops the process (SIGTERM, then SIGKILL after 5 s); idempotent. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT'); // a paused process cannot act on SIGTERM
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  }

  /** SIGSTOP, returning once the kernel reports the process stopped (fault tests assert right after). */
  async pause(): Promise<void> {
    const child = this.#child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) throw new Error('FerretDB is not running');
    child.kill('SIGSTOP');
    for (const t0 = Date.now(); Date.now() - t0 < 2000; await sleep(5)) {
      // /proc/<pid>/stat: "pid (comm) S …" — the state letter follows the last ')'.
      const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8').catch(() => '');
      if (!stat) return; // no procfs here: the signal was sent, as before
      if (stat[stat.lastIndexOf(')') + 2] === 'T') return;
    }
    throw new Error('FerretDB did not stop within 2 s of SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
