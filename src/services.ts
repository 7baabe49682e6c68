import type { AccountService } from './account/index.js';
import type { AuditLog, AuditSettings } from './audit/index.js';
import type { AuthorizationProvider, PermissionHints } from './authz/index.js';
import type { Clock } from './clock.js';
import type { AppConfig, EnvSettings, ResolvedManifest } from './config/index.js';
import { deriveKey, KEY_PURPOSES } from './core/index.js';
import type { Database } from './db/index.js';
import type { Flows } from './flows/index.js';
import type { IdentityService } from './identity/index.js';
import type { Logger, Metrics } from './observability/index.js';
import type { RateLimiter } from './ratelimit/index.js';
import type { RevocationFeed, RevocationFeedSettings, SessionService, SessionSettings } from './sessions/index.js';
import type { TokenService, TokenSettings } from './tokens/index.js';

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

/** What each domain factory takes of the manifest and the secret: the composition root's one translation. */
export interface DomainSettings {
  tokens: TokenSettings;
  sessions: SessionSettings;
  revocations: RevocationFeedSettings;
  audit: AuditSettings;
  /** Purpose keys of the account service (TOTP sealing, recovery-code hashing). */
  accountKeys: { totp: Buffer; recoveryCodes: Buffer };
  /** The revision poll of every authorization provider. */
  authzPollMs: number;
}

/**
 * The manifest and the secret turned into what each domain needs, purpose keys derived here so
 * no domain sees the raw secret. Tests build their services with it too.
 */
export function domainSettings(manifest: ResolvedManifest, secret: string): DomainSettings {
  const apps = manifest.apps;
  const longestAccessTtlS = Math.max(0, ...apps.map((a) => a.tokens.accessTtl));
  return {
    tokens: {
      algorithms: [...new Set(apps.map((a) => a.tokens.algorithm))],
      longestAccessTtlS,
      sealKey: deriveKey(secret, KEY_PURPOSES.signingKeys),
    },
    sessions: { apps, successorKey: deriveKey(secret, KEY_PURPOSES.refreshSuccessor) },
    revocations: { ...manifest.server.revocation, longestAccessTtlS },
    audit: { retentionDays: Object.fromEntries(apps.map((a) => [a.slug, a.audit.retentionDays])) },
    accountKeys: {
      totp: deriveKey(secret, KEY_PURPOSES.totp),
      recoveryCodes: deriveKey(secret, KEY_PURPOSES.recoveryCodes),
    },
    authzPollMs: manifest.server.revocation.pollMs,
  };
}
