import type { AppConfig } from '../config/index.js';
import type { UserRecord } from '../identity/index.js';
import { inSpan } from '../observability/index.js';
import type { SessionRecord } from '../sessions/index.js';
import { later } from './after-response.js';
import { auditAuth } from './audit.js';
import type { FlowDeps } from './deps.js';
import type { RequestInfo } from './request-info.js';

/** A signed-in result: what login, register, loginAnonymous and refresh hand back. */
export interface AuthResult {
  userId: string;
  /** Known after sign-in; after a refresh it is read only if the client asks for it (one round trip less). */
  user: UserRecord | null;
  session: SessionRecord;
  accessToken: string;
  accessExpiresAt: number;
  expiresIn: number;
  refreshToken: string;
}

export async function accessTokenFor(s: FlowDeps, app: AppConfig, userId: string, session: SessionRecord) {
  const roles = s.authz(app.slug).rolesFor(app.slug, userId);
  return s.tokens.issue(app, { userId, sessionId: session.id, roles });
}

/**
 * A new session on this device plus its first token pair; sessions past max_per_user are evicted
 * after the response (the eviction must read after the insert so concurrent sign-ins converge,
 * and the new session's token does not depend on it; an evicted session's access tokens end
 * through the revocation feed either way). Spans `login.session_insert` and `login.issue` under
 * the sign-in's span (login, register, …).
 */
export async function startSession(
  s: FlowDeps,
  app: AppConfig,
  user: UserRecord,
  deviceId: string | null | undefined,
  req: RequestInfo,
): Promise<AuthResult> {
  const created = await inSpan('login.session_insert', () =>
    s.sessions.open(app, user.id, { deviceId: deviceId ?? null, userAgent: req.userAgent ?? null, ip: req.ip }),
  );
  later(s, 'session eviction', async () => {
    for (const sid of await created.evict()) {
      auditAuth(s, app.slug, req, 'session_evicted', 'success', { userId: user.id, sessionId: sid });
    }
  });
  const token = await inSpan('login.issue', () => accessTokenFor(s, app, user.id, created.session));
  return {
    userId: user.id,
    user,
    session: created.session,
    accessToken: token.token,
    accessExpiresAt: token.expiresAt,
    expiresIn: token.expiresIn,
    refreshToken: created.refreshToken,
  };
}
