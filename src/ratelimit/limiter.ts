// Hand-written, not rate-limiter-flexible: its MongoDB store counts with findOneAndUpdate/$inc, which FerretDB does not make atomic (lost updates, measured); ours claims attempts by unique-key inserts.
import { LRUCache } from 'lru-cache';
import type { AppConfig } from '../config/index.js';
import type { CoreDeps } from '../core/index.js';
import { expireDocuments } from '../db/index.js';
import { type AccountState, denied, reserve, settle } from './account-lock.js';
import { hitWindow, type WindowSlot, windowAt } from './ip-window.js';
import type { IpLimitKind, LimitDecision, RateLimiter } from './types.js';
import { ContentionError, type StateVersion, versionedStates } from './versioned-state.js';

export const RATE_LIMITS_COLLECTION = 'rate_limits';

/** The manifest limit behind each kind, also the `kind` label of the rate-limited metric. */
const IP_LIMIT = {
  login: 'loginIp',
  register: 'register',
  anonymous: 'anonymous',
  reset: 'passwordResetIp',
  reset_address: 'passwordReset',
} as const;
const METRIC_KIND = {
  login: 'login_ip',
  register: 'register',
  anonymous: 'anonymous',
  reset: 'password_reset_ip',
  reset_address: 'password_reset',
} as const;

export const ipKey = (kind: IpLimitKind, app: string, ip: string, windowStart: number) =>
  `ip:${kind}:${app}:${ip}:${windowStart}`;
export const accountKey = (app: string, account: string) => `acct:${app}:${account}`;

/**
 * Brute-force limits in the shared `rate_limits` collection: per-IP fixed windows (one document
 * per slot a request claimed) and per-account lock state (insert-only versions). Every instance sees
 * the same counters; expiry is checked on read, TTL or a sweeper only collect garbage.
 */
export function createRateLimiter(deps: CoreDeps): RateLimiter {
  const { clock, metrics, logger } = deps;
  const hits = deps.database.db.collection<WindowSlot>(RATE_LIMITS_COLLECTION);
  const accounts = versionedStates(
    deps.database.db.collection<StateVersion<AccountState>>(RATE_LIMITS_COLLECTION),
    clock,
  );
  // Slots known taken per window key (keys carry their window, so old entries just age out).
  const claimed = new LRUCache<string, number>({ max: 10_000 });
  let stopSweeper = () => {};

  // Each lost race means another change went in: a reservation or an outcome, at most two per
  // attempt the account's budget lets through. Past that, fail closed.
  const tries = (app: AppConfig) => 2 * app.rateLimits.login.maxAttempts + 6;
  const report = (app: AppConfig, kind: string, d: LimitDecision) => {
    if (!d.allowed) metrics.rateLimited(app.slug, kind);
    return d;
  };

  return {
    async start() {
      await hits.createIndex({ key: 1, v: -1 }, { name: 'key_v' });
      stopSweeper();
      stopSweeper = await expireDocuments(hits, 'expiresAt', { intervalMs: deps.sweepMs, now: () => clock.now() });
    },

    stop() {
      stopSweeper();
      stopSweeper = () => {};
    },

    async hitIp(app, kind, ip) {
      const limit = app.rateLimits[IP_LIMIT[kind]];
      const now = clock.ms();
      const key = ipKey(kind, app.slug, ip, windowAt(now, limit).start);
      return report(app, METRIC_KIND[kind], await hitWindow(hits, claimed, key, limit, now));
    },

    async beginLogin(app, account) {
      const limits = app.rateLimits.login;
      try {
        const decision = await accounts.update(
          accountKey(app.slug, account),
          (state, now) => {
            const { decision, next } = reserve(state, now, limits);
            return { result: decision, next };
          },
          tries(app),
        );
        return report(app, 'login', decision);
      } catch (err) {
        if (!(err instanceof ContentionError)) throw err;
        return report(app, 'login', denied(1000)); // fail closed
      }
    },

    async endLogin(app, account, success) {
      const limits = app.rateLimits.login;
      try {
        await accounts.update(
          accountKey(app.slug, account),
          (state, now) => ({ result: undefined, next: settle(state, now, success, limits) }),
          tries(app),
        );
      } catch (err) {
        if (!(err instanceof ContentionError)) throw err;
        // Not recorded: the attempt's lease runs out and then counts as a failure (fail closed).
        logger.warn({ app: app.slug, success }, 'login outcome not recorded: too much contention');
      }
    },
  };
}
