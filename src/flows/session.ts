import type { AppConfig } from '../config/index.js';
import { inSpan } from '../observability/index.js';
import type { VerifiedToken } from '../tokens/index.js';
import { auditAuth } from './audit.js';
import type { FlowDeps } from './deps.js';
import { FlowError, refusedRefresh } from './errors.js';
import { type AuthResult, accessTokenFor } from './issue.js';
import type { RequestInfo } from './request-info.js';

/** Rotates a refresh token (CONTRACT: one rotation per token, grace window, theft revokes the session). */
export function refresh(s: FlowDeps, app: AppConfig, refreshToken: string, req: RequestInfo): Promise<AuthResult> {
  return inSpan('refresh', () => rotate(s, app, refreshToken, req));
}

async function rotate(s: FlowDeps, app: AppConfig, refreshToken: string, req: RequestInfo): Promise<AuthResult> {
  const rotated = await s.sessions.rotate(app, refreshToken, { userAgent: req.userAgent ?? null, ip: req.ip });
  if (!rotated.ok) {
    const theft = rotated.reason === 'theft';
    s.metrics.refresh(app.slug, theft ? 'theft' : 'refused');
    auditAuth(s, app.slug, req, theft ? 'refresh_theft' : 'refresh', 'failure', {
      userId: rotated.userId ?? null,
      sessionId: rotated.sessionId ?? null,
      details: { reason: rotated.reason },
    });
    throw refusedRefresh();
  }
  const userId = rotated.session.userId;
  const token = await accessTokenFor(s, app, userId, rotated.session);
  s.metrics.refresh(app.slug, rotated.reused ? 'reused' : 'rotated');
  auditAuth(s, app.slug, req, 'refresh', 'success', { userId, sessionId: rotated.session.id });
  return {
    userId,
    user: null,
    session: rotated.session,
    accessToken: token.token,
    accessExpiresAt: token.expiresAt,
    expiresIn: token.expiresIn,
    refreshToken: rotated.refreshToken,
  };
}

export async function logout(s: FlowDeps, app: AppConfig, who: VerifiedToken, req: RequestInfo): Promise<boolean> {
  await s.sessions.revoke(app, who.userId, who.sessionId, 'logout');
  auditAuth(s, app.slug, req, 'logout', 'success', { userId: who.userId, sessionId: who.sessionId });
  return true;
}

export async function logoutAll(s: FlowDeps, app: AppConfig, who: VerifiedToken, req: RequestInfo): Promise<number> {
  const n = await s.sessions.revokeAll(app, who.userId, 'logout_all');
  auditAuth(s, app.slug, req, 'logout_all', 'success', {
    userId: who.userId,
    sessionId: who.sessionId,
    details: { sessions: n },
  });
  return n;
}

export async function revokeSession(
  s: FlowDeps,
  app: AppConfig,
  who: VerifiedToken,
  id: string,
  req: RequestInfo,
): Promise<boolean> {
  const done = await s.sessions.revoke(app, who.userId, id, 'revoked');
  if (done) auditAuth(s, app.slug, req, 'session_revoked', 'success', { userId: who.userId, sessionId: id });
  return done;
}

/** Changes the password and ends every other session of the user. */
export async function changePassword(
  s: FlowDeps,
  app: AppConfig,
  who: VerifiedToken,
  current: string,
  next: string,
  req: RequestInfo,
): Promise<boolean> {
  // A demo account is shared by everyone who reads the manifest: its password is the manifest's, so
  // no holder may change it (lock the others out, or keep a demo admin to themselves).
  if ((await s.identity.findById(app.slug, who.userId))?.kind === 'DEMO') {
    auditAuth(s, app.slug, req, 'password_change', 'failure', { userId: who.userId, sessionId: who.sessionId });
    throw new FlowError('FORBIDDEN', 'Demo accounts keep the password of the manifest', { reason: 'demo-user' });
  }
  const ok = await s.identity.changePassword(app, who.userId, current, next);
  if (!ok) {
    auditAuth(s, app.slug, req, 'password_change', 'failure', { userId: who.userId, sessionId: who.sessionId });
    throw new FlowError('UNAUTHENTICATED', 'Current password is incorrect');
  }
  await s.sessions.revokeAll(app, who.userId, 'password_change', who.sessionId);
  auditAuth(s, app.slug, req, 'password_change', 'success', { userId: who.userId, sessionId: who.sessionId });
  return true;
}
