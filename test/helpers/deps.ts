import { Registry } from 'prom-client';
import { type Clock, OffsetClock } from '../../src/clock.js';
import { connectDatabase } from '../../src/db/index.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Metrics } from '../../src/observability/types.js';
import type { CoreDeps } from '../../src/services.js';
import { freshDbName, mongoUri, TEST_SECRET } from './gatehouse.js';
import { manifestFrom, testManifest } from './manifest.js';

/** A Metrics sink that only counts calls, for domain tests that assert what was reported. */
export function countingMetrics(): Metrics & { calls: string[] } {
  const calls: string[] = [];
  const rec =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push(`${name}:${args.join(':')}`);
    };
  return {
    registry: new Registry(),
    calls,
    login: rec('login'),
    refresh: rec('refresh'),
    rateLimited: rec('rateLimited'),
    tokenCache: rec('tokenCache'),
    databaseError: rec('databaseError'),
    revocationLag: () => {},
    policyRevision: rec('policyRevision'),
    auditDropped: rec('auditDropped'),
    graphqlOperation: (name: string) => ({ observe: (ok: boolean) => rec('graphql')(name, ok) }),
  };
}

export interface TestDeps extends CoreDeps {
  clock: OffsetClock;
  metrics: Metrics & { calls: string[] };
  dbName: string;
  close(): Promise<void>;
}

/** Real dependencies over the run's database (a fresh database name unless `dbName` is given). */
export async function coreDeps(
  opts: { manifest?: unknown; dbName?: string; clock?: Clock; monitorCommands?: boolean } = {},
): Promise<TestDeps> {
  const dbName = opts.dbName ?? freshDbName();
  const database = await connectDatabase(mongoUri(), dbName, opts.monitorCommands ? { monitorCommands: true } : {});
  return {
    database,
    dbName,
    clock: (opts.clock as OffsetClock | undefined) ?? new OffsetClock(),
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    manifest: manifestFrom(opts.manifest ?? testManifest()),
    secret: TEST_SECRET,
    metrics: countingMetrics(),
    close: () => database.close(),
  };
}
