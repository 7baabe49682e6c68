import { type ChildProcess, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { PostgresBinaries, RunAs } from './postgres-bin.js';
import { processAlive, spawnLogged } from './process.js';

const run = promisify(execFile);
const SUPERUSER = 'gatehouse';
export const FERRETDB_DATABASE = 'ferretdb';
/** Unix socket paths are limited to 107 bytes (sun_path); PostgreSQL appends `/.s.PGSQL.<port>`. */
const MAX_SOCKET_DIR = 90;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** State letter and parent pid from /proc/<pid>/stat ("pid (comm) S ppid …"). */
async function procStat(pid: number): Promise<{ state?: string; ppid?: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number.isInteger(Number(ppid)) ? Number(ppid) : undefined };
}

/**
 * A private PostgreSQL cluster under `root` (`data/` is PGDATA): created once with initdb,
 * listening on 127.0.0.1 and its own socket directory only, password (SCRAM) authentication
 * for every connection, the password in `<root>.password` (mode 600, readable by this user only).
 */
export class PostgresCluster {
  #child: ChildProcess | undefined;
  #port = 0;
  #password = '';
  #tmpSocketDir: string | undefined;

  constructor(
    readonly bins: PostgresBinaries,
    readonly root: string,
    readonly runAs: RunAs,
  ) {}

  get dataDir(): string {
    return join(this.root, 'data');
  }
  get port(): number {
    return this.#port;
  }
  get pid(): number | undefined {
    return this.#child?.pid;
  }
  /** The URL FerretDB connects with (it carries the password: pass it by environment, not argv). */
  get url(): string {
    return `postgres://${SUPERUSER}:${this.#password}@127.0.0.1:${this.#port}/${FERRETDB_DATABASE}`;
  }

  /**
   * Whether the unprivileged user can write the cluster directory (as root, `nobody` must be able
   * to traverse every parent: a 0700 home or mkdtemp directory stops it).
   */
  async usable(): Promise<boolean> {
    await this.#ownRoot();
    if (this.runAs.uid === undefined) return true;
    const [cmd, args] = this.runAs.wrap('test', ['-w', this.root, '-a', '-x', this.root]);
    return run(cmd, args).then(
      () => true,
      () => false,
    );
  }

  async #ownRoot(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    if (this.runAs.uid !== undefined) await chown(this.root, this.runAs.uid, this.runAs.gid ?? this.runAs.uid);
    await chmod(this.root, 0o700);
  }

  /** initdb on first use; later starts reuse the cluster and its password. */
  async init(log: (msg: string) => void = () => {}): Promise<void> {
    const passwordFile = `${this.root}.password`;
    if (await exists(join(this.dataDir, 'PG_VERSION'))) {
      this.#password = (await readFile(passwordFile, 'utf8')).trim();
      return;
    }
    await this.#ownRoot();
    await rm(this.dataDir, { recursive: true, force: true }); // a half-made cluster from an interrupted initdb
    const password = randomBytes(24).toString('hex');
    const pwfile = join(this.root, 'initdb.pw');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (this.runAs.uid !== undefined) await chown(pwfile, this.runAs.uid, this.runAs.gid ?? this.runAs.uid);
    log(`initialising a PostgreSQL cluster in ${this.dataDir}`);
    const [cmd, args] = this.runAs.wrap(this.bins.initdb, [
      '-D',
      this.dataDir,
      '-U',
      SUPERUSER,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
    ]);
    try {
      await run(cmd, args, { maxBuffer: 4 << 20 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`initdb failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-3).join(' ')}`);
    } finally {
      await rm(pwfile, { force: true });
    }
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    this.#password = password;
  }

  /** A postmaster left running by a Gatehouse that was killed (its parent is gone) is stopped; a live one is an error. */
  async #takeOverStale(): Promise<void> {
    const pidFile = await readFile(join(this.dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
    const pid = Number(pidFile.split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
    const { state, ppid } = await procStat(pid);
    if (state === 'Z') return; // an unreaped zombie (no init reaping in some containers): gone
    if (ppid !== 1) {
      throw new Error(
        `the PostgreSQL cluster in ${this.dataDir} is already running (pid ${pid}): is another Gatehouse using this directory?`,
      );
    }
    process.kill(pid, 'SIGINT');
    for (const t0 = Date.now(); processAlive(pid) && (await procStat(pid)).state !== 'Z'; await sleep(50)) {
      if (Date.now() - t0 > 15_000) throw new Error(`a stale PostgreSQL (pid ${pid}) did not stop`);
    }
  }

  async #socketDir(): Promise<string> {
    let dir = join(this.root, 'run');
    // too long for sun_path, or characters unix_socket_directories (a comma-separated list) would split on
    if (dir.length > MAX_SOCKET_DIR || /[,"\s]/.test(dir)) {
      this.#tmpSocketDir = await mkdtemp(join(tmpdir(), 'gh-pg-'));
      dir = this.#tmpSocketDir;
    } else await mkdir(dir, { recursive: true });
    if (this.runAs.uid !== undefined) await chown(dir, this.runAs.uid, this.runAs.gid ?? this.runAs.uid);
    await chmod(dir, 0o700);
    return dir;
  }

  /**
   * `durable: false` (a temporary cluster, removed on stop: tests, benchmarks) turns off fsync and
   * synchronous commit, which cost every FerretDB write and DDL a WAL flush; a kept cluster keeps them.
   */
  async start(port: number, { durable = true }: { durable?: boolean } = {}): Promise<void> {
    await this.#takeOverStale();
    this.#port = port;
    const speed = durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
    const [cmd, args] = this.runAs.wrap(this.bins.postgres, [
      ...speed,
      '-D',
      this.dataDir,
      '-c',
      `port=${port}`,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${await this.#socketDir()}`,
      '-c',
      'logging_collector=off',
      // FerretDB's driver prepares each query once per connection; after five runs PostgreSQL may
      // keep a generic plan, costed on the table as it was then. One chosen while `users` was
      // nearly empty stays a Seq Scan after 100,000 inserts (measured: 20–30 ms per lookup instead
      // of 3 ms at 50,000 rows, until an ANALYZE happens to invalidate it). A plan per execution
      // costs a fraction of a millisecond and always sees the table's current size and the GIN twins.
      '-c',
      'plan_cache_mode=force_custom_plan',
    ]);
    const { child, exited } = spawnLogged(cmd, args, { PATH: process.env.PATH, LANG: 'C' }, `${this.root}.log`);
    this.#child = child;
    // Accepting TCP is not ready: until recovery ends it answers "the database system is starting up".
    for (const t0 = Date.now(); ; await sleep(100)) {
      if (exited()) throw new Error(`PostgreSQL ${exited()} (see ${this.root}.log)`);
      if (
        await this.psql('SELECT 1', 'postgres').then(
          () => true,
          () => false,
        )
      )
        break;
      if (Date.now() - t0 > 30_000) {
        await this.stop();
        throw new Error(
          `PostgreSQL did not accept connections on 127.0.0.1:${port} within 30 s (see ${this.root}.log)`,
        );
      }
    }
    const has = await this.psql(`SELECT 1 FROM pg_database WHERE datname = '${FERRETDB_DATABASE}'`, 'postgres');
    if (!has.trim()) await this.psql(`CREATE DATABASE ${FERRETDB_DATABASE}`, 'postgres');
  }

  /** Runs SQL through psql over TCP; resolves to its unaligned, tuples-only output. */
  async psql(sql: string, database = FERRETDB_DATABASE): Promise<string> {
    const { stdout } = await run(
      this.bins.psql,
      [
        '-X',
        '-q',
        '-A',
        '-t',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        '127.0.0.1',
        '-p',
        String(this.#port),
        '-U',
        SUPERUSER,
        '-d',
        database,
        '-c',
        sql,
      ],
      { env: { PATH: process.env.PATH, PGPASSWORD: this.#password, PGCONNECT_TIMEOUT: '3' }, maxBuffer: 16 << 20 },
    );
    return stdout;
  }

  /** Fast shutdown (SIGINT: clients are cut, no waiting for them), SIGQUIT after 10 s, SIGKILL after 20 s; idempotent. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(this.runAs.direct ? 'SIGINT' : 'SIGTERM');
      const quit = setTimeout(() => child.kill('SIGQUIT'), 10_000);
      const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await done;
      clearTimeout(quit);
      clearTimeout(kill);
    }
    if (this.#tmpSocketDir) await rm(this.#tmpSocketDir, { recursive: true, force: true });
    this.#tmpSocketDir = undefined;
  }
}
