import { execFile } from 'node:child_process';
import { access, readdir, realpath } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The PostgreSQL server binaries the embedded cluster needs, all from one installation. */
export interface PostgresBinaries {
  binDir: string;
  initdb: string;
  postgres: string;
  psql: string;
}

const NEEDED = ['initdb', 'postgres', 'psql'] as const;

async function executable(path: string): Promise<boolean> {
  return access(path, 1 /* X_OK */).then(
    () => true,
    () => false,
  );
}

async function complete(binDir: string): Promise<PostgresBinaries | undefined> {
  for (const name of NEEDED) if (!(await executable(join(binDir, name)))) return undefined;
  return { binDir, initdb: join(binDir, 'initdb'), postgres: join(binDir, 'postgres'), psql: join(binDir, 'psql') };
}

/**
 * Finds initdb + postgres + psql: the installation `initdb` on PATH belongs to (Debian links
 * /usr/local/bin/initdb → /usr/lib/postgresql/15/bin/initdb, and only that directory has
 * all three), else the newest /usr/lib/postgresql/<major>/bin.
 */
export async function findPostgres(env: NodeJS.ProcessEnv = process.env): Promise<PostgresBinaries | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const initdb = join(dir, 'initdb');
    if (!(await executable(initdb))) continue;
    const found = await complete(dirname(await realpath(initdb)));
    if (found) return found;
  }
  const majors = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  for (const major of majors.filter((m) => /^\d+$/.test(m)).sort((a, b) => Number(b) - Number(a))) {
    const found = await complete(join('/usr/lib/postgresql', major, 'bin'));
    if (found) return found;
  }
  return undefined;
}

/**
 * How to run PostgreSQL's own processes. PostgreSQL refuses to run as root, so as root they run
 * as `nobody` through setpriv (which execs, so the child pid is the postmaster's and signals
 * reach it directly), or runuser when setpriv is missing.
 */
export interface RunAs {
  /** undefined: as the current user. */
  uid?: number;
  gid?: number;
  wrap(cmd: string, args: string[]): [string, string[]];
  /** runuser forks, so stop signals go to runuser, which forwards SIGTERM only. */
  direct: boolean;
}

const CURRENT: RunAs = { wrap: (cmd, args) => [cmd, args], direct: true };

async function onPath(cmd: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${cmd}`]).then(
    () => true,
    () => false,
  );
}

export async function unprivilegedRunner(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return CURRENT;
  const { stdout } = await run('getent', ['passwd', 'nobody']).catch(() => ({ stdout: '' }));
  const [, , uid, gid] = stdout.trim().split(':');
  if (!uid || !gid) {
    throw new Error(
      'PostgreSQL cannot run as root and there is no `nobody` user to run it as: run Gatehouse as a normal user, set GATEHOUSE_EMBEDDED_DB=sqlite, or set MONGODB_URI',
    );
  }
  const ids = { uid: Number(uid), gid: Number(gid) };
  if (await onPath('setpriv')) {
    return {
      ...ids,
      direct: true,
      wrap: (cmd, args) => ['setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', cmd, ...args]],
    };
  }
  if (await onPath('runuser')) {
    return { ...ids, direct: false, wrap: (cmd, args) => ['runuser', ['-u', 'nobody', '--', cmd, ...args]] };
  }
  throw new Error(
    'PostgreSQL cannot run as root and neither setpriv nor runuser is installed: run Gatehouse as a normal user, set GATEHOUSE_EMBEDDED_DB=sqlite, or set MONGODB_URI',
  );
}
