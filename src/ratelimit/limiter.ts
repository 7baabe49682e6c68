// Hand-written, not rate-limiter-flexible: its MongoDB store counts with findOneAndUpdate/$inc, which FerretDB does not make atomic (lost updates, measured); ours claims attempts by unique-key inserts.
import { LRUCache } from 'lru-cache';
import { type Collection, MongoBulkWriteError } from 'mongodb';
import type { AppConfig } from '../config/index.js';
import type { CoreDeps } from '../core/index.js';
import { expireDocuments } from '../db/index.js';
import { type AccountState, allowed, denied, release, reserve, settle } from './account-lock.js';
import { claimFrom, hitWindow, nextSlot, type WindowSlot, windowAt } from './ip-window.js';
import type { IpLimitKind, LimitDecision, LoginReservation, RateLimiter } from './types.js';
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
 * Inserts `docs` in one command (unordered: each stands alone); which of them went in. A taken
 * `_id` is an answer, any other error is thrown.
 */
async function insertEach(coll: Collection<{ _id: string }>, docs: { _id: string }[]): Promise<boolean[]> {
  try {
    await coll.insertMany(docs, { ordered: false });
    return docs.map(() => true);
  } catch (err) {
    if (!(err instanceof MongoBulkWriteError)) throw err;
    // The driver wraps a failure of the command itself (network, timeout) as well: hand on the
    // original, so an outage reads as one (SERVICE_UNAVAILABLE), not as an unexpected error.
    const cause = (err as { errorResponse?: unknown }).errorResponse;
    if (cause instanceof Error) throw cause;
    const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    if (!errors.length || errors.some((e) => e.code !== 11000)) throw err;
    const taken = new Set(errors.map((e) => e.index));
    return docs.map((_, i) => !taken.has(i));
  }
}

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

  const limiter: RateLimiter = {
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

    async reserveLogin(app, ip, account): Promise<LoginReservation> {
      const limit = app.rateLimits.loginIp;
      const limits = app.rateLimits.login;
      const now = clock.ms();
      const window = windowAt(now, limit);
      const ipK = ipKey('login', app.slug, ip, window.start);
      const slot = nextSlot(claimed, ipK, limit, now);
      if (!slot) return { by: 'ip', decision: report(app, METRIC_KIND.login, denied(window.end - now)) };
      const key = accountKey(app.slug, account);
      const planned = await accounts.plan(key, (state, at) => {
        const { decision, next } = reserve(state, at, limits);
        return { result: decision, next };
      });
      if (!planned.doc) {
        // The account refuses (locked, or its budget in flight): the request still counts on the IP.
        const byIp = await claimFrom(hits, claimed, ipK, limit, now, slot);
        if (!byIp.allowed) return { by: 'ip', decision: report(app, METRIC_KIND.login, byIp) };
        const byAccount = planned.final ? report(app, 'login', planned.result) : await limiter.beginLogin(app, account);
        return { by: byAccount.allowed ? null : 'account', decision: byAccount };
      }
      // The common case: the IP's slot and the account's next version in one command.
      const [ipWon, accountWon] = await insertEach(hits as unknown as Collection<{ _id: string }>, [
        slot.doc,
        planned.doc,
      ]);
      planned.settled(accountWon === true);
      const byIp = ipWon ? allowed : await hitWindow(hits, claimed, ipK, limit, now);
      if (!byIp.allowed) {
        if (accountWon) await limiter.releaseLogin(app, account); // an attempt never made
        return { by: 'ip', decision: report(app, METRIC_KIND.login, byIp) };
      }
      // Another writer took the account's next version first: decide again on the newest.
      const byAccount = accountWon ? planned.result : await limiter.beginLogin(app, account);
      return { by: byAccount.allowed ? null : 'account', decision: byAccount };
    },

    async releaseLogin(app, account) {
      const limits = app.rateLimits.login;
      try {
        await accounts.update(
          accountKey(app.slug, account),
          (state, now) => ({ result: undefined, next: release(state, now, limits) }),
          tries(app),
        );
      } catch (err) {
        if (!(err instanceof ContentionError)) throw err;
        // The lease runs out and counts as a failure: fail closed.
      }
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
  return limiter;
}
