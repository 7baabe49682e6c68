import { type Collection, type Filter, MongoBulkWriteError, ObjectId } from 'mongodb';
import type { CoreDeps } from '../core/index.js';
import { expireDocuments } from '../db/index.js';
import { type BatchQueue, createBatchQueue } from './batch-queue.js';
import { type AuditDoc, clampFirst, toAuditDoc, toAuditEvent } from './event.js';
import type { AuditLog } from './types.js';

export const AUDIT_COLLECTION = 'audit_events';
const DAY_MS = 24 * 3600 * 1000;
const DUPLICATE_KEY = 11000;

/** What the audit log needs of the manifest. */
export interface AuditSettings {
  /** Each app's `audit.retention_days`, by slug. */
  retentionDays: Readonly<Record<string, number>>;
}

export interface AuditLogOptions {
  /** Events held in memory at most; past it new events are dropped and counted. Default 10,000. */
  maxQueue?: number;
  /** Background write interval. Default 200 ms. */
  flushMs?: number;
  /** Events per insertMany; reaching it writes without waiting for the interval. Default 500. */
  batchSize?: number;
  /** Sweep interval where the server has no TTL indexes (FerretDB). Default 60 s. */
  sweepMs?: number;
}

/** The audit log, plus what operators and tests may want to see of its queue. */
export interface AuditWriter extends AuditLog {
  /** Events recorded and not yet written. */
  pending(): number;
}

/**
 * For a bulk insert the server processed in full: how many documents it refused for good.
 * Duplicate keys are not refusals: they are events of a retried batch that were already written.
 * undefined when the outcome is unknown (network, timeout, write concern): retry the batch.
 */
export function refusedByServer(err: unknown): number | undefined {
  if (!(err instanceof MongoBulkWriteError) || err.result.getWriteConcernError()) return undefined;
  const errors = err.result.getWriteErrors();
  if (errors.length === 0) return undefined;
  return errors.filter((e) => e.code !== DUPLICATE_KEY).length;
}

/**
 * Auth events in `audit_events`. `record()` only queues (never waits for the database);
 * a background writer inserts batches, keeps them queued while the database is down, and
 * counts what it has to drop. Expired events are never returned, whatever the TTL index did.
 */
export function createAuditLog(deps: CoreDeps, settings: AuditSettings, opts: AuditLogOptions = {}): AuditWriter {
  const { clock, logger, metrics } = deps;
  const coll: Collection<AuditDoc> = deps.database.db.collection<AuditDoc>(AUDIT_COLLECTION);
  const retention = new Map(Object.entries(settings.retentionDays).map(([slug, days]) => [slug, days * DAY_MS]));
  // an app the manifest does not name keeps its events as long as the most patient app does
  const defaultRetention = Math.max(DAY_MS, ...retention.values());
  const maxQueue = opts.maxQueue ?? 10_000;
  let failing = false;
  let overflowing = false;
  let stopSweeper: (() => void) | undefined;

  async function write(batch: readonly AuditDoc[]): Promise<{ refused: number }> {
    let refused: number | undefined = 0;
    try {
      await coll.insertMany(batch as AuditDoc[], { ordered: false });
    } catch (err) {
      refused = refusedByServer(err);
      if (refused === undefined) {
        metrics.databaseError();
        if (!failing) logger.error({ err, pending: queue.pending() }, 'audit events not written; retrying');
        failing = true;
        throw err;
      }
      if (refused > 0) logger.error({ refused }, 'audit events refused by the database');
    }
    if (failing) logger.info('audit writes recovered');
    failing = false;
    overflowing = false;
    return { refused };
  }

  const queue: BatchQueue<AuditDoc> = createBatchQueue({
    maxQueue,
    batchSize: opts.batchSize ?? 500,
    flushMs: opts.flushMs ?? 200,
    write,
    onDrop(count, reason) {
      metrics.auditDropped(count);
      if (reason !== 'full' || overflowing) return;
      overflowing = true; // one warning per episode of overflow, not one per event
      logger.warn({ maxQueue }, 'audit queue full: dropping events');
    },
  });

  return {
    async start() {
      await coll.createIndex({ app: 1, at: -1, _id: -1 }, { name: 'app_at' });
      await coll.createIndex({ app: 1, userId: 1, at: -1, _id: -1 }, { name: 'app_user_at' });
      stopSweeper?.();
      stopSweeper = await expireDocuments(coll, 'expiresAt', {
        intervalMs: opts.sweepMs ?? deps.sweepMs,
        now: () => clock.now(),
      });
      queue.start();
    },
    async stop() {
      stopSweeper?.();
      stopSweeper = undefined;
      try {
        await queue.stop();
      } catch (err) {
        // shutting down with the database away: what is left is lost, and said so
        logger.error({ err, lost: queue.discard() }, 'audit events lost at shutdown');
      }
    },
    record(event) {
      const at = clock.now();
      queue.push(toAuditDoc(event, new ObjectId(), at, retention.get(event.app) ?? defaultRetention));
    },
    async query(app, filter) {
      const where: Filter<AuditDoc> = { app, expiresAt: { $gt: clock.now() } };
      if (filter.userId != null) where.userId = filter.userId;
      if (filter.type != null) where.type = filter.type as AuditDoc['type'];
      try {
        const docs = await coll.find(where).sort({ at: -1, _id: -1 }).limit(clampFirst(filter.first)).toArray();
        return docs.map(toAuditEvent);
      } catch (err) {
        metrics.databaseError();
        throw err;
      }
    },
    flush: () => queue.flush(),
    dropped: () => queue.dropped(),
    pending: () => queue.pending(),
  };
}
