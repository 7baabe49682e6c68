import { Registry } from 'prom-client';
import { type Clock, OffsetClock } from '../../src/clock.js';
import type { ResolvedManifest } from '../../src/config/index.js';
import type { CoreDeps } from '../../src/core/index.js';
import { connectDatabase } from '../../src/db/index.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Metrics } from '../../src/observability/types.js';
import { type DomainSettings, domainSettings } from '../../src/services.js';
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
    mail: rec('mail'),
    graphqlOperation: (name: string) => ({ observe: (ok: boolean) => rec('graphql')(name, ok) }),
  };
}

export interface TestDeps extends CoreDeps {
  /** The manifest and secret the settings come from (tests read apps off it). */
  manifest: ResolvedManifest;
  secret: string;
  /** What the composition root would hand each domain factory for this manifest and secret. */
  settings: DomainSettings;
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
  const manifest = manifestFrom(opts.manifest ?? testManifest());
  return {
    database,
    dbName,
    clock: (opts.clock as OffsetClock | undefined) ?? new OffsetClock(),
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    manifest,
    secret: TEST_SECRET,
    settings: domainSettings(manifest, TEST_SECRET),
    metrics: countingMetrics(),
    close: () => database.close(),
  };
}
