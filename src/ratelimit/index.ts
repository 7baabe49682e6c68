export {
  type AccountState,
  LEASE_MS,
  type LoginLimits,
  lockSeconds,
  release,
  reserve,
  settle,
} from './account-lock.js';
export { accountKey, createRateLimiter, ipKey, RATE_LIMITS_COLLECTION } from './limiter.js';
export type { IpLimitKind, LimitDecision, LoginReservation, RateLimiter } from './types.js';
export { ContentionError, type StateVersion, versionedStates } from './versioned-state.js';
