import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import type { Logger, Metrics } from '../observability/index.js';

/**
 * What every domain factory receives: `createXxx(deps, settings)`. Only the shared machinery —
 * no manifest and no secret: each factory gets the few settings it uses, and keys already
 * derived for its purpose, from the composition root (src/services.ts).
 */
export interface CoreDeps {
  database: Database;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** How often expired rows are swept where the server has no TTL index; default 60 s (tests: a few ms). */
  sweepMs?: number;
}
