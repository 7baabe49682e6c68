import { LRUCache } from 'lru-cache';
import type { AppConfig } from '../config/index.js';
import type { CoreDeps } from '../core/index.js';
import type { IdentityService } from '../identity/index.js';
import { createSealer } from '../tokens/index.js';
import type { Mailer } from './mailer.js';
import { resetMessage, verificationMessage } from './messages.js';
import { OneTimeTokens, type TokenHolder } from './one-time-tokens.js';
import { newRecoveryCodes, normalizeRecoveryCode, recoveryCodeHasher } from './recovery-codes.js';
import { newTotpSecret, otpauthUri, totpStep } from './totp.js';
import { UseOnce } from './use-once.js';

/** An enrolment must be confirmed within this long, or it starts over. */
const ENROLMENT_MS = 15 * 60_000;
/** A TOTP step is remembered past the codes that could still match it (±1 step of drift). */
const STEP_MEMORY_MS = 5 * 60_000;
/** Spent recovery codes stay refused for as long as a code list can live. */
const SPENT_CODE_MS = 10 * 365 * 86_400_000;

export type SecondFactor = 'totp' | 'recovery';

export interface AccountService {
  start(): Promise<void>;
  stop(): void;
  sendVerification(app: AppConfig, user: { id: string; email: string }): Promise<void>;
  /** The holder of a valid verification token, now spent; its address marked verified. Null: invalid, used or expired. */
  verifyEmail(app: AppConfig, token: string): Promise<TokenHolder | null>;
  sendReset(app: AppConfig, user: { id: string; email: string }): Promise<void>;
  /** A reset token's holder without spending it (to check the new password first). */
  peekReset(app: AppConfig, token: string): Promise<TokenHolder | null>;
  consumeReset(app: AppConfig, token: string): Promise<TokenHolder | null>;
  /** A new pending secret (replacing any earlier pending one); null when TOTP is already on. */
  beginTotp(
    app: AppConfig,
    user: { id: string; email: string | null },
  ): Promise<{ secret: string; otpauthUri: string } | null>;
  /** Turns TOTP on with a code from the pending secret; the recovery codes, shown once. Null: wrong code or nothing pending. */
  confirmTotp(app: AppConfig, userId: string, code: string): Promise<string[] | null>;
  /** Checks a TOTP or a recovery code, each usable once. Null when neither. */
  secondFactor(app: AppConfig, userId: string, code: string): Promise<SecondFactor | null>;
  disableTotp(app: AppConfig, userId: string): Promise<void>;
  /**
   * Whether the user has TOTP on, for `auth.mfa.required_roles` on every request of such a user:
   * remembered for a few seconds (this instance forgets at once on its own confirm/disable).
   */
  totpEnabled(app: AppConfig, userId: string): Promise<boolean>;
}

const TOTP_STATE_TTL_MS = 5000;

export interface AccountDeps extends CoreDeps {
  identity: IdentityService;
  mailer: Mailer;
  /** Purpose keys derived from the secret by the composition root (KEY_PURPOSES.totp, .recoveryCodes). */
  keys: { totp: Buffer; recoveryCodes: Buffer };
}

/** E-mail verification, password reset and TOTP: tokens, codes and secrets, never stored in clear. */
export function createAccountService(deps: AccountDeps): AccountService {
  const { identity, mailer, clock } = deps;
  // Swept on the domain clock, as every read judges expiry.
  const sweep = { intervalMs: deps.sweepMs, now: () => clock.now() };
  const uses = new UseOnce(deps.database.db, sweep);
  const tokens = new OneTimeTokens(deps.database.db, uses, sweep);
  const sealer = createSealer(deps.keys.totp);
  const hashCode = recoveryCodeHasher(deps.keys.recoveryCodes);
  const aad = (app: AppConfig, userId: string) => `totp:${app.slug}:${userId}`;
  const enabled = new LRUCache<string, boolean>({ max: 10_000, ttl: TOTP_STATE_TTL_MS });
  const stateKey = (app: AppConfig, userId: string) => `${app.slug}\u0000${userId}`;

  const totpOf = async (app: AppConfig, userId: string, code: string, secret: string) => {
    const step = await totpStep(secret, code, clock.ms());
    if (step === undefined) return false;
    // One use per (user, step): a code seen once, by anyone, is spent.
    return uses.claim(`totp:${app.slug}:${userId}:${step}`, new Date(clock.ms() + STEP_MEMORY_MS));
  };

  return {
    async start() {
      await uses.start();
      await tokens.start();
    },
    stop() {
      tokens.stop();
      uses.stop();
    },

    async sendVerification(app, user) {
      const { token } = await tokens.issue(
        app.slug,
        'verify_email',
        user.id,
        user.email,
        app.email.verifyTtl,
        clock.now(),
      );
      await mailer.send(app, verificationMessage(app, user.email, token));
    },

    async verifyEmail(app, token) {
      const holder = await tokens.consume(app.slug, 'verify_email', token, clock.now());
      if (!holder) return null;
      return (await identity.markEmailVerified(app.slug, holder.userId, holder.email)) ? holder : null;
    },

    async sendReset(app, user) {
      const { token } = await tokens.issue(
        app.slug,
        'reset_password',
        user.id,
        user.email,
        app.email.resetTtl,
        clock.now(),
      );
      await mailer.send(app, resetMessage(app, user.email, token));
    },

    peekReset: (app, token) => tokens.peek(app.slug, 'reset_password', token, clock.now()),
    consumeReset: (app, token) => tokens.consume(app.slug, 'reset_password', token, clock.now()),

    async beginTotp(app, user) {
      const state = await identity.mfaState(app.slug, user.id);
      if (!state || state.mfa) return null;
      const secret = newTotpSecret();
      await identity.setMfa(app.slug, user.id, {
        mfa: null,
        mfaPending: { secret: sealer.seal(secret, aad(app, user.id)), createdAt: clock.now() },
      });
      return { secret, otpauthUri: otpauthUri(app.mfa.issuer, user.email ?? user.id, secret) };
    },

    async confirmTotp(app, userId, code) {
      const state = await identity.mfaState(app.slug, userId);
      const pending = state?.mfaPending;
      if (!pending || state.mfa || clock.ms() - pending.createdAt.getTime() > ENROLMENT_MS) return null;
      if (!(await totpOf(app, userId, code, sealer.open(pending.secret, aad(app, userId))))) return null;
      const codes = newRecoveryCodes();
      await identity.setMfa(app.slug, userId, {
        mfa: {
          secret: pending.secret,
          enabledAt: clock.now(),
          recoveryCodes: codes.map((c) => hashCode(normalizeRecoveryCode(c)!)),
        },
        mfaPending: null,
      });
      enabled.delete(stateKey(app, userId));
      return codes;
    },

    async secondFactor(app, userId, code) {
      if (typeof code !== 'string' || code.length > 64) return null;
      const mfa = (await identity.mfaState(app.slug, userId))?.mfa;
      if (!mfa) return null;
      if (await totpOf(app, userId, code.trim(), sealer.open(mfa.secret, aad(app, userId)))) return 'totp';
      const normalized = normalizeRecoveryCode(code);
      if (!normalized) return null;
      const hash = hashCode(normalized);
      if (!mfa.recoveryCodes.includes(hash)) return null;
      // The claim decides between parallel uses; the list update only keeps `me` honest about what is left.
      if (!(await uses.claim(`recovery:${app.slug}:${userId}:${hash}`, new Date(clock.ms() + SPENT_CODE_MS))))
        return null;
      await identity.setMfa(app.slug, userId, {
        mfa: { ...mfa, recoveryCodes: mfa.recoveryCodes.filter((h) => h !== hash) },
        mfaPending: null,
      });
      return 'recovery';
    },

    async disableTotp(app, userId) {
      await identity.setMfa(app.slug, userId, { mfa: null, mfaPending: null });
      enabled.delete(stateKey(app, userId));
    },

    async totpEnabled(app, userId) {
      const key = stateKey(app, userId);
      const hit = enabled.get(key);
      if (hit !== undefined) return hit;
      const on = Boolean((await identity.mfaState(app.slug, userId))?.mfa);
      enabled.set(key, on);
      return on;
    },
  };
}
