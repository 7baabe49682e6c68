/** The demo admin every reliability manifest seeds; its policy (`admin, *, *`) includes roles:manage. */
export const ADMIN = { email: 'rel-admin@example.test', password: 'Harbor-Lantern-Reliability-2024!' };
export const APP = 'rel';
/** A permission only the `editor` role holds: the race tests watch it follow grantRole / revokeRole. */
export const EDITOR_PERMISSION = { resource: 'reports', action: 'read' } as const;

/** Generous enough that hundreds of requests from 127.0.0.1 never meet a rate limit. */
const OPEN_LIMIT = { max_attempts: 100_000, window_seconds: 60 };

export interface ReliabilityManifestOptions {
  /** `revocation.stale_after_ms` (top-level): protected fields fail closed past it. */
  staleAfterMs?: number;
  pollMs?: number;
  refreshGraceSeconds?: number;
  maxPerUser?: number;
}

/**
 * The manifest of the reliability suite: registration and anonymous users on, an admin demo user,
 * an `editor` policy, and rate limits out of the way (they have their own tests; here they would
 * only turn load into RATE_LIMITED answers).
 */
export function reliabilityManifest(opts: ReliabilityManifestOptions = {}): Record<string, unknown> {
  return {
    slug: APP,
    revocation: {
      ...(opts.pollMs === undefined ? {} : { poll_ms: opts.pollMs }),
      ...(opts.staleAfterMs === undefined ? {} : { stale_after_ms: opts.staleAfterMs }),
    },
    auth: {
      users: { allow_registration: true, demo_users: [{ ...ADMIN, roles: ['admin'] }] },
      policy: {
        allow_anonymous: true,
        authorization: {
          initial_policies: [
            ['admin', '*', '*'],
            ['editor', EDITOR_PERMISSION.resource, EDITOR_PERMISSION.action],
          ],
        },
      },
      tokens: opts.refreshGraceSeconds === undefined ? {} : { refresh_grace_seconds: opts.refreshGraceSeconds },
      sessions: opts.maxPerUser === undefined ? {} : { max_per_user: opts.maxPerUser },
      rate_limits: { login: OPEN_LIMIT, login_ip: OPEN_LIMIT, register: OPEN_LIMIT, anonymous: OPEN_LIMIT },
    },
  };
}
