import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadManifest, loadSecret, readEnv } from '../config/index.js';
import { connectDatabase, type Database } from '../db/index.js';
import { type LocalDatabase, launchDatabase } from '../embedded-db/index.js';
import { startServices } from '../gatehouse.js';
import { createLogger } from '../observability/index.js';
import type { Services } from '../services.js';

export const stateDir = () => resolve('.gatehouse');
/** Where `serve` leaves the URI of its embedded database, so admin commands reach the same data. */
export const embeddedUriFile = () => join(stateDir(), 'db', 'uri');

async function openDatabase(
  uri: string | undefined,
  dbName: string,
): Promise<{ database: Database; local?: LocalDatabase }> {
  if (uri) return { database: await connectDatabase(uri, dbName) };
  const running = await readFile(embeddedUriFile(), 'utf8').catch(() => undefined);
  if (running) {
    const database = await connectDatabase(running.trim(), dbName, { serverSelectionTimeoutMS: 1500 }).catch(
      () => undefined,
    );
    if (database && (await database.ping(1500))) return { database };
    await database?.close();
  }
  // MONGODB_URI was handled above; PATH and GATEHOUSE_EMBEDDED_DB choose the embedded backend as serve does.
  const { PATH, GATEHOUSE_EMBEDDED_DB } = process.env;
  const local = await launchDatabase({ dataDir: join(stateDir(), 'db'), env: { PATH, GATEHOUSE_EMBEDDED_DB } });
  return { database: await connectDatabase(local.uri, dbName), local };
}

/** Runs an admin command against the same database and manifest `serve` uses, then shuts everything down. */
export async function withServices<T>(manifestFlag: string | undefined, fn: (s: Services) => Promise<T>): Promise<T> {
  const env = readEnv();
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const manifest = await loadManifest(manifestFlag ?? env.manifestPath, env.defaults);
  const secret = await loadSecret({ secret: env.secret, production: env.production, stateDir: stateDir() });
  const { database, local } = await openDatabase(env.mongodbUri, env.mongodbDb);
  try {
    const running = await startServices({ env, manifest, secret, database, logger });
    try {
      return await fn(running.services);
    } finally {
      await running.stop();
    }
  } finally {
    await database.close();
    await local?.stop();
  }
}

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new Error(
      'the password is read from standard input: pipe it in (e.g. `printf %s "$PW" | gatehouse user create …`)',
    );
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
