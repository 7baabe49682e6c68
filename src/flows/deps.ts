import type { AccountService } from '../account/index.js';
import type { AuditLog } from '../audit/index.js';
import type { AuthorizationProvider } from '../authz/index.js';
import type { IdentityService } from '../identity/index.js';
import type { Logger, Metrics } from '../observability/index.js';
import type { RateLimiter } from '../ratelimit/index.js';
import type { SessionService } from '../sessions/index.js';
import type { TokenService } from '../tokens/index.js';

/**
 * The domain services the use-cases call — the few they need, not the whole Services locator
 * (which also holds the manifest, the secret and the HTTP settings flows never read).
 */
export interface FlowDeps {
  identity: IdentityService;
  account: AccountService;
  sessions: SessionService;
  tokens: TokenService;
  /** One provider per app. */
  authz(app: string): AuthorizationProvider;
  rateLimiter: RateLimiter;
  audit: AuditLog;
  metrics: Metrics;
  logger: Logger;
}
