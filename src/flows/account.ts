import { MailError } from '../account/index.js';
import type { AppConfig } from '../config/index.js';
import { InputError, normalizeEmail } from '../identity/index.js';
import type { MailKind } from '../observability/index.js';
import type { VerifiedToken } from '../tokens/index.js';
import { later } from './after-response.js';
import { auditAuth } from './audit.js';
import type { FlowDeps } from './deps.js';
import { FlowError, forbiddenFlow, rateLimitedFlow } from './errors.js';
import type { RequestInfo } from './request-info.js';
import { grantRoles, initialRolesOf } from './roles.js';

/** Forged, expired, used or for another app: one answer for all. */
const badToken = () => new InputError('token', 'Invalid or expired token');

/** Password accounts only: anonymous users have no address, demo users share the manifest's. */
async function ownAccount(s: FlowDeps, app: AppConfig, who: VerifiedToken) {
  const user = await s.identity.findById(app.slug, who.userId);
  if (!user) throw new FlowError('UNAUTHENTICATED', 'Authentication required');
  return user;
}

/**
 * One message out, counted either way; a failure is logged by its reason's code (never the
 * address or the server's answer). Only a MailError is a message not sent: anything else (the
 * database, while the token was issued) propagates as what it is. Returns the failure, if any.
 */
async function deliver(s: FlowDeps, app: AppConfig, kind: MailKind, send: () => Promise<void>) {
  try {
    await send();
  } catch (err) {
    if (!(err instanceof MailError)) throw err;
    s.metrics.mail(app.slug, kind, 'failed');
    s.logger.warn({ app: app.slug, kind, reason: err.reason }, 'e-mail not sent');
    return err;
  }
  s.metrics.mail(app.slug, kind, 'sent');
  return null;
}

/**
 * Sends the verification message (register, requestEmailVerification) and audits it either way;
 * false when it could not be sent (a new request sends a new message: the unsent token is never
 * usable, nobody saw it).
 */
export async function sendVerification(
  s: FlowDeps,
  app: AppConfig,
  user: { id: string; email: string },
  req: RequestInfo,
  sessionId: string | null = null,
): Promise<boolean> {
  const failed = await deliver(s, app, 'verification', () => s.account.sendVerification(app, user));
  auditAuth(s, app.slug, req, 'email_verification_sent', failed ? 'failure' : 'success', {
    userId: user.id,
    sessionId,
    ...(failed ? { details: { reason: failed.reason } } : {}),
  });
  return !failed;
}

/** Sends a verification message to the caller's address; false when it is verified already. */
export async function requestEmailVerification(
  s: FlowDeps,
  app: AppConfig,
  who: VerifiedToken,
  req: RequestInfo,
): Promise<boolean> {
  const user = await ownAccount(s, app, who);
  if (!user.email || user.kind !== 'PASSWORD') throw forbiddenFlow('This account has no address to verify');
  if (user.emailVerified) return false;
  const limit = await s.rateLimiter.hitIp(app, 'reset_address', `verify:${user.email}`);
  if (!limit.allowed) throw rateLimitedFlow(limit.retryAfter);
  // The mail server is a dependency: its outage is SERVICE_UNAVAILABLE, as the database's is.
  if (!(await sendVerification(s, app, { id: user.id, email: user.email }, req, who.sessionId))) {
    throw new FlowError('SERVICE_UNAVAILABLE', 'The message could not be sent, try again later', { status: 503 });
  }
  return true;
}

/**
 * Spends a verification token. The address is then proven, so what waited for it is granted now:
 * default roles beyond `user` (with `require_email_verification`) and the `initial_roles` naming it.
 */
export async function verifyEmail(s: FlowDeps, app: AppConfig, token: string, req: RequestInfo): Promise<boolean> {
  const holder = await s.account.verifyEmail(app, token);
  if (!holder) {
    auditAuth(s, app.slug, req, 'email_verified', 'failure');
    throw badToken();
  }
  const user = await s.identity.findById(app.slug, holder.userId);
  if (user) await grantRoles(s, app, user.id, [...app.policy.defaultRoles, ...initialRolesOf(app, user)]);
  auditAuth(s, app.slug, req, 'email_verified', 'success', { userId: holder.userId });
  return true;
}

/**
 * Always true, whether or not the address has an account, and answered before any work that
 * depends on it (the look-up and the message happen after the answer): no enumeration by content
 * or timing. Limited per IP and per address all the same.
 */
export async function requestPasswordReset(
  s: FlowDeps,
  app: AppConfig,
  email: string,
  req: RequestInfo,
): Promise<boolean> {
  let address: string;
  try {
    address = normalizeEmail(email);
  } catch {
    return true; // no account can have it
  }
  for (const [kind, key] of [
    ['reset', req.ip],
    ['reset_address', `reset:${address}`],
  ] as const) {
    const limit = await s.rateLimiter.hitIp(app, kind, key);
    if (!limit.allowed) throw rateLimitedFlow(limit.retryAfter);
  }
  // `later`: a stopping instance and the tests wait for it; the answer does not.
  later(s, 'password reset mail', async () => {
    const user = await s.identity.findByEmail(app.slug, address);
    // Demo accounts keep the manifest's password; anonymous ones have none.
    const eligible = user?.kind === 'PASSWORD' && user.email !== null;
    auditAuth(s, app.slug, req, 'password_reset_requested', eligible ? 'success' : 'denied', {
      userId: user?.id ?? null,
    });
    if (eligible) await deliver(s, app, 'reset', () => s.account.sendReset(app, { id: user.id, email: user.email! }));
  });
  return true;
}

/**
 * Sets a new password with a reset token: the policy is checked before the token is spent (a weak
 * password does not burn it), the token works once, and every session of the user ends.
 */
export async function resetPassword(
  s: FlowDeps,
  app: AppConfig,
  token: string,
  newPassword: string,
  req: RequestInfo,
): Promise<boolean> {
  const peeked = await s.account.peekReset(app, token);
  if (!peeked) {
    auditAuth(s, app.slug, req, 'password_reset', 'failure');
    throw badToken();
  }
  s.identity.checkNewPassword(app, peeked.email, newPassword);
  const holder = await s.account.consumeReset(app, token);
  if (!holder || !(await s.identity.setPassword(app, holder.userId, newPassword))) {
    auditAuth(s, app.slug, req, 'password_reset', 'failure', { userId: peeked.userId });
    throw badToken();
  }
  // The mailbox was proven too.
  await s.identity.markEmailVerified(app.slug, holder.userId, holder.email);
  await s.sessions.revokeAll(app, holder.userId, 'password_reset');
  auditAuth(s, app.slug, req, 'password_reset', 'success', { userId: holder.userId });
  return true;
}
