import type { Clock } from './clock.js';
import type { AppConfig, EnvSettings, ResolvedManifest } from './config/index.js';
import type { Database } from './db/index.js';
import type { Logger } from './observability/logger.js';

/** Everything a resolver or plugin may use, built once per Gatehouse instance. */
export interface Services {
  env: EnvSettings;
  manifest: ResolvedManifest;
  secret: string;
  database: Database;
  logger: Logger;
  clock: Clock;
  /** The app named by slug, if the manifest has it. */
  app(slug: string): AppConfig | undefined;
}
