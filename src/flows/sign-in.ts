import type { AppConfig } from '../config/index.js';
import { checkDeviceId, normalizeEmail } from '../identity/index.js';
import { inSpan } from '../observability/index.js';
import { sendVerification } from './account.js';
import { later } from './after-response.js';
import { auditAuth } from './audit.js';
import type { FlowDeps } from './deps.js';
import { FlowError, forbiddenFlow, rateLimitedFlow, refusedLogin } from './errors.js';
import { type AuthResult, startSession } from './issue.js';
import { checkLoginCode } from './mfa.js';
import type { RequestInfo } from './request-info.js';
import { grantRoles, rolesForNewUser } from './roles.js';

export interface Credentials {
  email: string;
  password: string;
  deviceId?: string | null;
  /** A TOTP or a recovery code, for accounts with two-factor authentication. */
  totpCode?: string | null;
}

/** The role an unverified account holds while `require_email_verification` keeps the others waiting. */
const UNVERIFIED_ROLE = 'user';

/**
 * Password login. Order matters: input checks; both limits in one write (a per-IP slot, one
 * attempt reserved on the account) BEFORE any password work, so parallel guesses cannot multiply
 * argon2 runs (the account lookup runs meanwhile: reading is no attempt); then the constant-time
 * check; then the outcome. Unknown email and wrong password look the same.
 *
 * What waits for what: a failure's outcome is recorded before the answer (it may lock the
 * account); a success's outcome, lastLoginAt with a hash upgrade, and session eviction are written
 * after it (`later`): the response depends on none of them, and an outcome never recorded only
 * counts, when its lease runs out, as one failure — closed, not open. So a successful login waits
 * for at most 4 commands: the account's newest limit version (only when this process does not know
 * it), the limit write, the user lookup (alongside), the session insert.
 * Traced as `login` with `login.rate_limit`, `login.argon2`, `login.session_insert`, `login.issue`.
 */
export function login(s: FlowDeps, app: AppConfig, input: Credentials, req: RequestInfo): Promise<AuthResult> {
  return inSpan('login', () => passwordLogin(s, app, input, req));
}

/** Both login limits (per IP, then one attempt reserved on the account); throws RATE_LIMITED. */
async function reserveLoginAttempt(s: FlowDeps, app: AppConfig, accountKey: string, req: RequestInfo): Promise<void> {
  const { by, decision } = await s.rateLimiter.reserveLogin(app, req.ip, accountKey);
  if (by === 'ip') {
    s.metrics.login(app.slug, 'rate_limited');
    auditAuth(s, app.slug, req, 'login', 'denied', { details: { reason: 'ip_limit' } });
    throw rateLimitedFlow(decision.retryAfter);
  }
  if (by === 'account') {
    s.metrics.login(app.slug, 'rate_limited');
    auditAuth(s, app.slug, req, 'account_locked', 'denied');
    throw rateLimitedFlow(decision.retryAfter);
  }
}

async function passwordLogin(s: FlowDeps, app: AppConfig, input: Credentials, req: RequestInfo): Promise<AuthResult> {
  const accountKey = normalizeEmail(input.email);
  if (input.deviceId != null) checkDeviceId(input.deviceId);
  const check = s.identity.prepareLogin(app, { email: input.email, password: input.password });
  await inSpan('login.rate_limit', () => reserveLoginAttempt(s, app, accountKey, req));
  const outcome = await inSpan('login.argon2', () => check.verify());
  const user = outcome.ok ? outcome.user : null;
  // The second factor is part of the attempt: a missing or wrong code counts as a failure, so
  // MFA_REQUIRED cannot serve as a free oracle for the password, nor the code be guessed freely.
  const second =
    app.mfa.enabled && user?.mfaEnabled ? await checkLoginCode(s, app, user.id, input.totpCode, req) : 'ok';
  if (user && second === 'ok') {
    // The password was right, so lastLoginAt (and a hash upgrade) holds whatever follows.
    const { record } = outcome as Extract<typeof outcome, { ok: true }>;
    later(s, 'login outcome', () => Promise.all([s.rateLimiter.endLogin(app, accountKey, true), record()]));
  } else {
    await s.rateLimiter.endLogin(app, accountKey, false);
  }
  if (user && second !== 'ok') {
    s.metrics.login(app.slug, 'failure');
    auditAuth(s, app.slug, req, 'login', 'failure', { userId: user.id, details: { reason: `totp_${second}` } });
    if (second === 'missing') throw new FlowError('MFA_REQUIRED', 'A two-factor code is required');
    throw refusedLogin();
  }
  if (user && app.users.requireEmailVerification && user.kind === 'PASSWORD' && !user.emailVerified) {
    auditAuth(s, app.slug, req, 'login', 'denied', { userId: user.id, details: { reason: 'email_not_verified' } });
    throw new FlowError('FORBIDDEN', 'Verify your e-mail address first', { reason: 'EMAIL_NOT_VERIFIED' });
  }
  if (!user) {
    s.metrics.login(app.slug, 'failure');
    // The client learns nothing; the audit trail names the account when it exists.
    const known = outcome.ok ? null : outcome.accountId;
    auditAuth(s, app.slug, req, 'login', 'failure', { userId: known });
    throw refusedLogin();
  }
  const result = await startSession(s, app, user, input.deviceId, req);
  s.metrics.login(app.slug, 'success');
  auditAuth(s, app.slug, req, 'login', 'success', { userId: user.id, sessionId: result.session.id });
  return result;
}

export function register(s: FlowDeps, app: AppConfig, input: Credentials, req: RequestInfo): Promise<AuthResult> {
  return inSpan('register', () => registerUser(s, app, input, req));
}

async function registerUser(s: FlowDeps, app: AppConfig, input: Credentials, req: RequestInfo): Promise<AuthResult> {
  if (!app.users.enabled || !app.users.allowRegistration) throw forbiddenFlow('Registration is closed for this app');
  const byIp = await inSpan('login.rate_limit', () => s.rateLimiter.hitIp(app, 'register', req.ip));
  if (!byIp.allowed) throw rateLimitedFlow(byIp.retryAfter);
  if (input.deviceId != null) checkDeviceId(input.deviceId);
  const user = await inSpan('login.argon2', () =>
    s.identity.register(app, { email: input.email, password: input.password }),
  );
  const waiting = app.users.requireEmailVerification;
  // Until the address is verified, only `user` (if a default role); the rest comes with verifyEmail.
  const roles = rolesForNewUser(app, user).filter((r) => !waiting || r === UNVERIFIED_ROLE);
  await grantRoles(s, app, user.id, roles);
  const result = await startSession(s, app, user, input.deviceId, req);
  auditAuth(s, app.slug, req, 'register', 'success', { userId: user.id, sessionId: result.session.id });
  if (waiting && user.email) {
    const to = { id: user.id, email: user.email };
    // The account and its session exist whatever the mail server does: its outage must not answer
    // a registration that happened with an error. A message not sent is audited and counted;
    // requestEmailVerification sends a new one.
    later(s, 'verification mail', () => sendVerification(s, app, to, req, result.session.id));
  }
  return result;
}

export async function loginAnonymous(
  s: FlowDeps,
  app: AppConfig,
  deviceId: string,
  req: RequestInfo,
): Promise<AuthResult> {
  if (!app.policy.allowAnonymous) throw forbiddenFlow('Anonymous users are not allowed in this app');
  const byIp = await s.rateLimiter.hitIp(app, 'anonymous', req.ip);
  if (!byIp.allowed) throw rateLimitedFlow(byIp.retryAfter);
  const user = await s.identity.anonymous(app, deviceId);
  await grantRoles(s, app, user.id, rolesForNewUser(app, user));
  const result = await startSession(s, app, user, deviceId, req);
  auditAuth(s, app.slug, req, 'login_anonymous', 'success', { userId: user.id, sessionId: result.session.id });
  return result;
}
