// Hand-written: change streams would make this a library call, but FerretDB has none, so the feed polls an insert-only collection by time.
import { performance } from 'node:perf_hooks';
import { type CoreDeps, createPoller } from '../core/index.js';
import { expireDocuments } from '../db/index.js';
import type { RevocationFeed, RevokeReason } from './types.js';

interface RevocationDoc {
  app: string;
  sid: string;
  reason: RevokeReason;
  /** The writer's clock. */
  at: Date;
  /** Past this, every access token of the session has expired anyway. */
  expiresAt: Date;
}

/** The manifest's `server.revocation` and the longest access-token TTL. */
export interface RevocationFeedSettings {
  pollMs: number;
  /** Past this without a good poll, isFresh() is false and callers fail closed. */
  staleAfterMs: number;
  /**
   * The longest access-token TTL of any app, in seconds: how long a published entry must live.
   * Only publish() needs it; a read-only feed (the library's) leaves it out and cannot publish.
   */
  longestAccessTtlS?: number;
}

/** Each poll re-reads this much before the newest entry seen: writers' clock skew and inserts still in flight. */
export const POLL_OVERLAP_MS = 5000;
/** Entries outlive the longest access token by this margin (verifiers allow a little clock leeway). */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Revoked session ids, polled from the `revocations` collection into a Map so the hot path asks
 * memory, never the database. Freshness is measured on the monotonic clock: it is about real
 * elapsed time since the last good poll, not about the domain clock tests move.
 */
export function createRevocationFeed(deps: CoreDeps, settings: RevocationFeedSettings): RevocationFeed {
  const { pollMs, staleAfterMs } = settings;
  const coll = deps.database.db.collection<RevocationDoc>('revocations');
  const lifetimeMs =
    settings.longestAccessTtlS === undefined ? undefined : settings.longestAccessTtlS * 1000 + EXPIRY_MARGIN_MS;

  const revoked = new Map<string, number>(); // sid → expiresAt (ms)
  let newestAt = Number.NEGATIVE_INFINITY; // newest `at` read so far (ms)
  let polledAt = Number.NEGATIVE_INFINITY; // domain time of the last successful poll (ms)
  let lastSuccess = Number.NEGATIVE_INFINITY; // performance.now() when the last good poll began
  let running = false;
  let stopSweeper: (() => void) | undefined;

  const lagMs = () => performance.now() - lastSuccess;
  const remember = (sid: string, expiresAt: number) => {
    if ((revoked.get(sid) ?? 0) < expiresAt) revoked.set(sid, expiresAt);
  };

  async function pollOnce(): Promise<void> {
    const began = performance.now();
    const nowMs = deps.clock.ms();
    try {
      // The window starts at the later of the newest entry and the last poll, so a burst of
      // revocations is read once, not on every poll until a newer one arrives.
      const cursor = Math.max(newestAt, polledAt);
      const since = new Date(Number.isFinite(cursor) ? cursor - POLL_OVERLAP_MS : 0);
      const docs = await coll
        .find(
          { at: { $gte: since }, expiresAt: { $gt: new Date(nowMs) } },
          { projection: { _id: 0, sid: 1, at: 1, expiresAt: 1 }, timeoutMS: Math.max(2000, staleAfterMs / 2) },
        )
        .toArray();
      for (const d of docs) {
        remember(d.sid, d.expiresAt.getTime());
        // A writer whose clock runs ahead must not push the cursor past what others write now.
        newestAt = Math.max(newestAt, Math.min(d.at.getTime(), nowMs));
      }
      for (const [sid, exp] of revoked) if (exp <= nowMs) revoked.delete(sid);
      lastSuccess = began;
      polledAt = nowMs;
    } finally {
      deps.metrics.revocationLag(lagMs());
    }
  }

  // Never two polls at once: a slow database stretches the interval instead of piling up queries.
  // A failed poll is logged once; staleness then makes callers fail closed.
  const poller = createPoller({
    intervalMs: pollMs,
    run: pollOnce,
    onError: (err, first) => {
      if (first) deps.logger.warn({ err: (err as Error).message }, 'revocation feed: poll failed');
    },
    onRecovered: () => deps.logger.info('revocation feed: polling again'),
  });
  const poll = () => poller.now();

  return {
    async start() {
      if (running) return;
      await coll.createIndex({ at: 1 }, { name: 'at_1' });
      stopSweeper = await expireDocuments(coll, 'expiresAt', { intervalMs: deps.sweepMs, now: () => deps.clock.now() });
      await poll(); // the initial load: every unexpired entry; throws when the database is away
      running = true;
      poller.start();
    },

    stop() {
      running = false;
      poller.stop();
      stopSweeper?.();
      stopSweeper = undefined;
    },

    isRevoked: (sessionId) => revoked.has(sessionId),
    isFresh: () => lagMs() <= staleAfterMs,
    lagMs,
    size: () => revoked.size,
    poll,

    async publish(app, sessionIds, reason) {
      const sids = [...new Set(sessionIds)];
      if (!sids.length) return;
      if (lifetimeMs === undefined) throw new Error('this revocation feed is read-only (no longestAccessTtlS)');
      const at = deps.clock.now();
      const expiresAt = new Date(at.getTime() + lifetimeMs);
      try {
        await coll.insertMany(
          sids.map((sid) => ({ app, sid, reason, at, expiresAt })),
          { ordered: false },
        );
      } finally {
        // Even if the write failed, this instance refuses the session at once (fail closed).
        for (const sid of sids) remember(sid, expiresAt.getTime());
      }
    },
  };
}
