import type { Db } from 'mongodb';
import { createAuthorization, PermissionHints } from '../authz/index.js';
import { systemClock } from '../clock.js';
import { BUILTIN_DEFAULTS, resolveManifest, validateManifest } from '../config/index.js';
import type { CoreDeps } from '../core/index.js';
import type { Database } from '../db/index.js';
import { createLogger, createMetrics, type Logger } from '../observability/index.js';
import { createRevocationFeed } from '../sessions/index.js';
import { type Decision, type PermissionSource, UNAUTHENTICATED, UNAVAILABLE } from './source.js';

export interface MongoPermissions {
  /** Gatehouse's database (the one its `MONGODB_URI` / `MONGODB_DB` name). */
  mongodb: Db;
  /** As the app's manifest: `policy.provider` (default casbin) and `policies_collection`. */
  provider?: 'casbin' | 'oso';
  policiesCollection?: string;
  /** How often the policy revision and the revocation feed are polled (default 500 ms). */
  pollMs?: number;
  /** Refuse tokens of revoked sessions, read from Gatehouse's revocation feed (default true). */
  revocations?: boolean;
  logger?: Logger;
}

/**
 * Live roles and policies straight from Gatehouse's MongoDB, with Gatehouse's own authorization
 * provider: checks answer from memory, and grants and policy changes arrive within a poll.
 * With `revocations`, a revoked session's tokens are refused here as they are in Gatehouse, and
 * guarded fields fail closed once the feed goes stale.
 */
export function mongoSource(app: string, opts: MongoPermissions): PermissionSource {
  const checked = validateManifest({
    slug: app,
    auth: {
      policy: {
        ...(opts.provider ? { provider: opts.provider } : {}),
        ...(opts.policiesCollection ? { authorization: { policies_collection: opts.policiesCollection } } : {}),
      },
    },
  });
  if (!checked.ok) throw new Error(`useGatehouse: ${checked.errors.join('; ')}`);
  // Only for the defaults of one app's policy and of the revocation poll: no secret, nothing derived.
  const manifest = resolveManifest(checked.manifest, BUILTIN_DEFAULTS);
  const db = opts.mongodb;
  const database: Database = {
    client: db.client,
    db,
    ping: (timeoutMs = 2000) =>
      db.command({ ping: 1 }, { timeoutMS: timeoutMs }).then(
        () => true,
        () => false,
      ),
    close: async () => {}, // the client belongs to the caller
  };
  const deps: CoreDeps = {
    database,
    clock: systemClock,
    logger: opts.logger ?? createLogger({ level: 'silent' }),
    metrics: createMetrics({ collectDefault: false }),
  };
  const pollMs = opts.pollMs ?? manifest.server.revocation.pollMs;
  // No schema here to hint from: OSO answers the pairs of the stored rules, as before.
  const authz = createAuthorization(deps, manifest.apps[0]!, { pollMs, hints: new PermissionHints() });
  // Read-only (no longestAccessTtlS): this side never publishes a revocation.
  const feed =
    opts.revocations === false
      ? undefined
      : createRevocationFeed(deps, { pollMs, staleAfterMs: manifest.server.revocation.staleAfterMs });
  let started: Promise<void> | undefined;

  return {
    ready() {
      // A failed start (database away) is retried by the next request rather than remembered.
      started ??= Promise.all([authz.start(), feed?.start()]).then(
        () => {},
        (err: unknown) => {
          started = undefined;
          throw err;
        },
      );
      return started;
    },
    decide(user): Decision {
      if (!authz.ready()) return UNAVAILABLE;
      if (feed) {
        if (!feed.isFresh()) return UNAVAILABLE;
        if (feed.isRevoked(user.sessionId)) return UNAUTHENTICATED;
      }
      return {
        kind: 'checks',
        checks: {
          can: (resource, action) => authz.can(app, user.userId, resource, action),
          hasRole: (role) => authz.hasRole(app, user.userId, role),
        },
      };
    },
    async close() {
      authz.stop();
      feed?.stop();
    },
  };
}
