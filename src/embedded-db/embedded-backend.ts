import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findPostgres, type PostgresBinaries } from './postgres-bin.js';

export type EmbeddedBackend = 'sqlite' | 'postgresql';

export interface BackendChoice {
  backend: EmbeddedBackend;
  /** Set when backend is postgresql. */
  bins?: PostgresBinaries;
  /** Whether the user asked for it (GATEHOUSE_EMBEDDED_DB): then no fallback to SQLite. */
  forced: boolean;
  /** What the data directory already held, if anything. */
  kept?: EmbeddedBackend;
}

const MARKER = 'backend';

/**
 * Which FerretDB backend the embedded database uses, in this order:
 * GATEHOUSE_EMBEDDED_DB → the backend a kept data directory already holds (its `backend` file;
 * SQLite files from before that file existed) → PostgreSQL when its binaries are found → SQLite.
 * A data directory never switches by itself: a PostgreSQL installed later must not hide the
 * users already stored in SQLite.
 */
export async function chooseBackend(dir: string, env: NodeJS.ProcessEnv): Promise<BackendChoice> {
  const wanted = env.GATEHOUSE_EMBEDDED_DB?.trim().toLowerCase();
  if (wanted && wanted !== 'sqlite' && wanted !== 'postgresql') {
    throw new Error(
      `GATEHOUSE_EMBEDDED_DB must be sqlite or postgresql, not ${JSON.stringify(env.GATEHOUSE_EMBEDDED_DB)}`,
    );
  }
  const kept = await keptBackend(dir);
  const backend: EmbeddedBackend | undefined = (wanted as EmbeddedBackend | undefined) ?? kept;
  if (backend === 'sqlite') return { backend, forced: !!wanted, kept };
  const bins = await findPostgres(env);
  if (bins) return { backend: 'postgresql', bins, forced: !!wanted || kept === 'postgresql', kept };
  if (backend === 'postgresql') {
    throw new Error(
      `${wanted ? 'GATEHOUSE_EMBEDDED_DB=postgresql' : `the embedded database in ${dir} is on PostgreSQL`}, but no PostgreSQL binaries (initdb, postgres, psql) were found on PATH or in /usr/lib/postgresql/*/bin`,
    );
  }
  return { backend: 'sqlite', forced: false, kept };
}

async function keptBackend(dir: string): Promise<EmbeddedBackend | undefined> {
  const marker = (await readFile(join(dir, MARKER), 'utf8').catch(() => '')).trim();
  if (marker === 'sqlite' || marker === 'postgresql') return marker;
  const sqliteFiles = await readdir(join(dir, 'ferretdb', 'data')).catch(() => [] as string[]);
  return sqliteFiles.some((f) => f.endsWith('.sqlite')) ? 'sqlite' : undefined;
}

export async function keepBackend(dir: string, backend: EmbeddedBackend): Promise<void> {
  await writeFile(join(dir, MARKER), `${backend}\n`);
}
