import { randomBytes } from 'node:crypto';
import { systemClock } from '../../src/clock.js';
import type { ResolvedManifest } from '../../src/config/index.js';
import { BUILTIN_DEFAULTS, resolveManifest, validateManifest } from '../../src/config/index.js';
import type { CoreDeps } from '../../src/core/index.js';
import { connectDatabase } from '../../src/db/index.js';
import { launchDatabase } from '../../src/embedded-db/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { type DomainSettings, domainSettings } from '../../src/services.js';

export interface BenchDeps {
  deps: CoreDeps & { manifest: ResolvedManifest; settings: DomainSettings };
  /** What the database is (`external` when MONGODB_URI is set, else the one started here). */
  kind: string;
  /** Drops the benchmark's database and stops what was started. */
  stop(): Promise<void>;
}

/** Real CoreDeps for a benchmark: MONGODB_URI when set, else a database of its own; a fresh database name. */
export async function benchDeps(rawManifest: unknown): Promise<BenchDeps> {
  const valid = validateManifest(rawManifest);
  if (!valid.ok) throw new Error(`bench manifest invalid:\n${valid.errors.join('\n')}`);
  const local = await launchDatabase();
  const database = await connectDatabase(local.uri, `bench_${process.pid}_${randomBytes(3).toString('hex')}`);
  const manifest = resolveManifest(valid.manifest, BUILTIN_DEFAULTS);
  const deps = {
    database,
    clock: systemClock,
    logger: createLogger({ level: 'silent' }),
    manifest,
    settings: domainSettings(manifest, randomBytes(32).toString('hex')),
    metrics: createMetrics({ collectDefault: false }),
  };
  return {
    deps,
    kind: local.kind,
    async stop() {
      await database.db.dropDatabase().catch(() => {});
      await database.close();
      await local.stop();
    },
  };
}
