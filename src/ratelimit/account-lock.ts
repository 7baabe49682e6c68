import type { LimitDecision } from './types.js';

/** `app.rateLimits.login` */
export interface LoginLimits {
  maxAttempts: number;
  windowSeconds: number;
  maxLockoutSeconds: number;
}

/** What the limiter remembers about one account. Times are milliseconds since the epoch. */
export interface AccountState {
  /** Consecutive failed attempts (a success clears them). */
  failures: number;
  lockedUntil: number;
  /** Lease deadlines of attempts that began and have not ended yet. */
  pending: number[];
  /** Forgotten after this: one window past the last failure, lock or lease. */
  expiresAt: number;
}

/**
 * How long an attempt may run between beginLogin and endLogin. An attempt that never ends (the
 * process died mid-login) counts as a failure when its lease runs out: fail closed, never leak budget.
 */
export const LEASE_MS = 30_000;

const FRESH: AccountState = { failures: 0, lockedUntil: 0, pending: [], expiresAt: 0 };

export const allowed: LimitDecision = { allowed: true, retryAfter: 0 };
export const denied = (ms: number): LimitDecision => ({
  allowed: false,
  retryAfter: Math.max(1, Math.ceil(ms / 1000)),
});

/** Lock length after `failures` consecutive failures: none below max_attempts, then 1 s doubling, capped. */
export function lockSeconds(failures: number, limits: LoginLimits): number {
  if (failures < limits.maxAttempts) return 0;
  return Math.min(2 ** Math.min(failures - limits.maxAttempts, 31), limits.maxLockoutSeconds);
}

function withExpiry(s: AccountState, at: number, limits: LoginLimits): AccountState {
  return { ...s, expiresAt: Math.max(at, s.lockedUntil, ...s.pending) + limits.windowSeconds * 1000 };
}

function fail(s: AccountState, at: number, limits: LoginLimits): AccountState {
  const failures = s.failures + 1;
  const lock = lockSeconds(failures, limits) * 1000;
  return withExpiry(
    { ...s, failures, lockedUntil: lock ? Math.max(s.lockedUntil, at + lock) : s.lockedUntil },
    at,
    limits,
  );
}

/** The state as of `now`: fresh once expired; attempts whose lease ran out become failures. */
export function current(state: AccountState | null, now: number, limits: LoginLimits): AccountState {
  if (!state || state.expiresAt <= now) return FRESH;
  let s: AccountState = { ...state, pending: state.pending.filter((p) => p > now) };
  for (const lapsed of state.pending.filter((p) => p <= now).sort((a, b) => a - b)) s = fail(s, lapsed, limits);
  return s;
}

/**
 * beginLogin: reserve one attempt, or say how long to wait. Below max_attempts failures, failures
 * plus attempts in flight may not exceed max_attempts; once locked and the lock has run out, one
 * probe at a time. So N parallel guesses get at most max_attempts password checks.
 */
export function reserve(
  state: AccountState | null,
  now: number,
  limits: LoginLimits,
): { decision: LimitDecision; next?: AccountState } {
  const s = current(state, now, limits);
  if (s.lockedUntil > now) return { decision: denied(s.lockedUntil - now) };
  const budget = s.failures < limits.maxAttempts ? limits.maxAttempts - s.failures : 1;
  // The attempts in flight decide within moments; 1 s is an honest hint.
  if (s.pending.length >= budget) return { decision: denied(1000) };
  return { decision: allowed, next: withExpiry({ ...s, pending: [...s.pending, now + LEASE_MS] }, now, limits) };
}

/** An attempt reserved and then not made (the per-IP limit refused the request): its lease goes, nothing is counted. */
export function release(state: AccountState | null, now: number, limits: LoginLimits): AccountState {
  const s = current(state, now, limits);
  return withExpiry({ ...s, pending: [...s.pending].sort((a, b) => a - b).slice(1) }, now, limits);
}

/** endLogin: release one attempt; a failure may lock the account, a success clears it. */
export function settle(state: AccountState | null, now: number, success: boolean, limits: LoginLimits): AccountState {
  const s = current(state, now, limits);
  // Attempts carry no id: release the oldest lease (ours, or one that ends no later).
  const pending = [...s.pending].sort((a, b) => a - b).slice(1);
  if (success) return withExpiry({ ...FRESH, pending }, now, limits);
  return fail({ ...s, pending }, now, limits);
}
