import type { AppConfig } from '../config/index.js';
import type { VerifiedToken } from '../tokens/index.js';
import { auditAuth } from './audit.js';
import type { FlowDeps } from './deps.js';
import { FlowError, forbiddenFlow, rateLimitedFlow } from './errors.js';
import type { RequestInfo } from './request-info.js';

const wrongCode = () => new FlowError('UNAUTHENTICATED', 'Invalid code');

/** Spends a TOTP or a recovery code of the user (each works once); a recovery code's use is audited. */
async function useSecondFactor(s: FlowDeps, app: AppConfig, userId: string, code: string, req: RequestInfo) {
  const used = await s.account.secondFactor(app, userId, code);
  if (used === 'recovery') auditAuth(s, app.slug, req, 'recovery_code_used', 'success', { userId });
  return used;
}

/**
 * A code check outside login counts against the account's brute-force budget like a password
 * guess: a stolen session must not be a way to try a million codes.
 */
async function attempt<T>(
  s: FlowDeps,
  app: AppConfig,
  email: string,
  check: () => Promise<T | null>,
): Promise<T | null> {
  const slot = await s.rateLimiter.beginLogin(app, email);
  if (!slot.allowed) throw rateLimitedFlow(slot.retryAfter);
  let result: T | null = null;
  try {
    result = await check();
    return result;
  } finally {
    await s.rateLimiter.endLogin(app, email, result !== null);
  }
}

async function enrollable(s: FlowDeps, app: AppConfig, who: VerifiedToken) {
  if (!app.mfa.enabled) throw forbiddenFlow('Two-factor authentication is not enabled for this app');
  const user = await s.identity.findById(app.slug, who.userId);
  if (user?.kind !== 'PASSWORD' || !user.email)
    throw forbiddenFlow('Only password accounts can use two-factor authentication');
  return user;
}

export async function enrollTotp(s: FlowDeps, app: AppConfig, who: VerifiedToken) {
  const user = await enrollable(s, app, who);
  const enrolment = await s.account.beginTotp(app, user);
  if (!enrolment) throw forbiddenFlow('Two-factor authentication is already on: disable it first');
  return enrolment;
}

export async function confirmTotp(
  s: FlowDeps,
  app: AppConfig,
  who: VerifiedToken,
  code: string,
  req: RequestInfo,
): Promise<string[]> {
  const user = await enrollable(s, app, who);
  const codes = await attempt(s, app, user.email!, () => s.account.confirmTotp(app, user.id, code));
  if (!codes) throw wrongCode();
  auditAuth(s, app.slug, req, 'totp_enrolled', 'success', { userId: user.id, sessionId: who.sessionId });
  return codes;
}

export async function disableTotp(
  s: FlowDeps,
  app: AppConfig,
  who: VerifiedToken,
  code: string,
  req: RequestInfo,
): Promise<boolean> {
  const user = await enrollable(s, app, who);
  const used = await attempt(s, app, user.email!, () => useSecondFactor(s, app, who.userId, code, req));
  if (!used) {
    auditAuth(s, app.slug, req, 'totp_disabled', 'failure', { userId: who.userId, sessionId: who.sessionId });
    throw wrongCode();
  }
  await s.account.disableTotp(app, who.userId);
  auditAuth(s, app.slug, req, 'totp_disabled', 'success', { userId: who.userId, sessionId: who.sessionId });
  return true;
}

/**
 * The login step after a right password, for an account with TOTP: no code → MFA_REQUIRED, a wrong
 * or replayed one → refused like a wrong password (the caller counts both as failed attempts).
 */
export async function checkLoginCode(
  s: FlowDeps,
  app: AppConfig,
  userId: string,
  code: string | null | undefined,
  req: RequestInfo,
): Promise<'ok' | 'missing' | 'wrong'> {
  if (code == null || code === '') return 'missing';
  return (await useSecondFactor(s, app, userId, code, req)) ? 'ok' : 'wrong';
}
