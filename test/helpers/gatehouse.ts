import { randomBytes } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Clock } from '../../src/clock.js';
import { type ResolvedManifest, readEnv } from '../../src/config/index.js';
import { connectDatabase, type Database } from '../../src/db/index.js';
import { createGatehouse, type Gatehouse } from '../../src/gatehouse.js';
import { createLogger } from '../../src/observability/logger.js';
import { manifestFrom, testManifest } from './manifest.js';
import { startWorkers } from './workers.js';

export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

let counter = 0;
/** A database name no other suite uses. */
export const freshDbName = () => `gh_t${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;

export function mongoUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set: run the tests through `npm test` (dist/test/run.js)');
  return uri;
}

export interface TestInstance {
  /** The in-process Gatehouse; against `serve --workers` (see startGatehouse) there is none: use `inProcess`. */
  gatehouse: Gatehouse;
  database: Database;
  dbName: string;
  url: string;
  origin: string;
  /** The `serve` process (primary), when the target is workers. */
  serverPid?: number | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  manifest?: unknown;
  /** Share a database with another instance (multi-instance tests). */
  dbName?: string;
  clock?: Clock;
  env?: Record<string, string>;
  /** Record every database command this instance sends (driver command monitoring). */
  monitorCommands?: boolean;
  /** Extra Yoga plugins (test pages, probes). */
  plugins?: Plugin[];
}

/**
 * Where startGatehouse runs Gatehouse: in this process (default), or, with
 * GATEHOUSE_TEST_TARGET=workers, as `gatehouse serve --workers 2` (test/workers/ runs the identity
 * and authorization suites that way).
 */
export const testTarget = (): 'in-process' | 'workers' =>
  process.env.GATEHOUSE_TEST_TARGET === 'workers' ? 'workers' : 'in-process';

/** The in-process Gatehouse of an instance, for spies and flushes; undefined against workers. */
export const inProcess = (inst: TestInstance): Gatehouse | undefined =>
  testTarget() === 'in-process' ? inst.gatehouse : undefined;

/** A real Gatehouse on a free port of 127.0.0.1, over the run's database. */
export async function startGatehouse(opts: StartOptions = {}): Promise<TestInstance> {
  if (testTarget() === 'workers') return startWorkers(opts);
  const env = readEnv({ NODE_ENV: 'test', MONGODB_URI: mongoUri(), ...opts.env });
  const manifest: ResolvedManifest = manifestFrom(opts.manifest ?? testManifest());
  const dbName = opts.dbName ?? freshDbName();
  const database = await connectDatabase(
    env.mongodbUri!,
    dbName,
    opts.monitorCommands ? { monitorCommands: true } : {},
  );
  const gatehouse = await createGatehouse({
    env,
    manifest,
    secret: TEST_SECRET,
    database,
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.plugins ? { plugins: opts.plugins } : {}),
    drainMs: 0, // nothing is in flight when a test closes its instance
  });
  const listening = await gatehouse.listen(0, '127.0.0.1');
  return {
    gatehouse,
    database,
    dbName,
    url: listening.url,
    origin: new URL(listening.url).origin,
    async close() {
      await gatehouse.close();
      await database.close();
    },
  };
}
