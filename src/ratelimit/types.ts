import type { AppConfig } from '../config/index.js';

export interface LimitDecision {
  allowed: boolean;
  /** Seconds until an attempt may succeed again (0 when allowed). */
  retryAfter: number;
}

/** `by`: which limit refused (null: allowed). */
export interface LoginReservation {
  by: 'ip' | 'account' | null;
  decision: LimitDecision;
}

/** Fixed-window limits: per IP, except `reset_address`, whose key is the (normalized) address asked about. */
export type IpLimitKind = 'login' | 'register' | 'anonymous' | 'reset' | 'reset_address';

/**
 * Brute-force protection whose counters live in MongoDB (inserts with unique `_id`s, read only by
 * `_id`), so every instance shares them. Each call counts one attempt: aliases and batches cannot multiply them.
 */
export interface RateLimiter {
  start(): Promise<void>;
  stop(): void;
  /** Per-IP limit for login / register / loginAnonymous. */
  hitIp(app: AppConfig, kind: IpLimitKind, ip: string): Promise<LimitDecision>;
  /**
   * Reserves one login attempt for the (normalized) account before any password work. Denied while
   * the account is locked or when the window's attempts are used up; so N parallel guesses cost at
   * most max_attempts (+1) password verifications in total.
   */
  beginLogin(app: AppConfig, accountKey: string): Promise<LimitDecision>;
  /**
   * A password login's two limits at once: one per-IP slot and one attempt reserved on the
   * account, in one database command when this process knows the account (else a lookup first).
   * Refused by the IP's limit first (and then no attempt stays reserved), else by the account's.
   */
  reserveLogin(app: AppConfig, ip: string, accountKey: string): Promise<LoginReservation>;
  /** Gives back an attempt reserved and not made (nothing is counted). */
  releaseLogin(app: AppConfig, accountKey: string): Promise<void>;
  /** Records the outcome: a failure may lock the account (exponential backoff); a success clears it. */
  endLogin(app: AppConfig, accountKey: string, success: boolean): Promise<void>;
}
