import type { AccountService } from './account/index.js';
import type { AuditLog } from './audit/types.js';
import type { AuthorizationProvider } from './authz/types.js';
import type { Clock } from './clock.js';
import type { AppConfig, EnvSettings, ResolvedManifest } from './config/index.js';
import type { Database } from './db/index.js';
import type { IdentityService } from './identity/types.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/types.js';
import type { RateLimiter } from './ratelimit/types.js';
import type { RevocationFeed, SessionService } from './sessions/types.js';
import type { TokenService } from './tokens/types.js';

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
  tokens: TokenService;
  identity: IdentityService;
  /** E-mail verification, password reset, TOTP. */
  account: AccountService;
  sessions: SessionService;
  revocations: RevocationFeed;
  /** One provider per app (its manifest picks Casbin or OSO). */
  authz(app: string): AuthorizationProvider;
  rateLimiter: RateLimiter;
  audit: AuditLog;
  metrics: Metrics;
}

/** What every domain factory receives: `createXxx(deps, …)`. */
export interface CoreDeps {
  database: Database;
  clock: Clock;
  logger: Logger;
  manifest: ResolvedManifest;
  /** GATEHOUSE_SECRET: derive purpose-specific keys from it (HKDF), never use it raw. */
  secret: string;
  metrics: Metrics;
  /** How often expired rows are swept where the server has no TTL index; default 60 s (tests: a few ms). */
  sweepMs?: number;
}
