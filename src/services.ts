import type { AuditSettings } from './audit/index.js';
import type { ResolvedManifest } from './config/index.js';
import { deriveKey, KEY_PURPOSES } from './core/index.js';
import type { RevocationFeedSettings, SessionSettings } from './sessions/index.js';
import type { TokenSettings } from './tokens/index.js';

/** Everything a resolver or plugin may use (declared with the surfaces, in src/graphql/services.ts). */
export type { Services } from './graphql/index.js';

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
