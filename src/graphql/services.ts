import type { AccountService } from '../account/index.js';
import type { AuditLog } from '../audit/index.js';
import type { AuthorizationProvider, PermissionHints } from '../authz/index.js';
import type { Clock } from '../clock.js';
import type { AppConfig, EnvSettings, ResolvedManifest } from '../config/index.js';
import type { Database } from '../db/index.js';
import type { Flows } from '../flows/index.js';
import type { IdentityService } from '../identity/index.js';
import type { Logger, Metrics } from '../observability/index.js';
import type { RateLimiter } from '../ratelimit/index.js';
import type { RevocationFeed, SessionService } from '../sessions/index.js';
import type { TokenService } from '../tokens/index.js';

/*
 * The locator the request surfaces (resolvers, plugins, routes, the gateway) receive. Declared
 * here, at the surfaces' floor, so graphql, gateway and http need not import the composition
 * root; src/services.ts builds it (startServices) and re-exports the type.
 */

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
  /** The (resource, action) pairs this instance's schema checks (OSO precomputes them); this instance's own. */
  permissionHints: PermissionHints;
  rateLimiter: RateLimiter;
  audit: AuditLog;
  metrics: Metrics;
  /** The use-cases bound to these services (what resolvers and the admin CLI call). */
  flows: Flows;
}
