// Hand-written, not p-queue: audit needs bounded batching where a failed write keeps its items and every drop is counted; queue libraries run single jobs.
export type DropReason = 'full' | 'refused' | 'discarded';

export interface BatchQueueOptions<T> {
  /** Items held at most (in flight included); past it new items are dropped and counted. */
  maxQueue: number;
  /** Items per write; reaching it starts a write without waiting for the timer. */
  batchSize: number;
  /** Interval of the background writer. */
  flushMs: number;
  /**
   * Writes a batch. Resolves with how many items were refused for good (they are dropped);
   * rejects when the outcome is unknown, and the whole batch stays queued for the next attempt
   * (so writes must be idempotent).
   */
  write(batch: readonly T[]): Promise<{ refused: number }>;
  /** Items lost: the queue was full, the write refused them, or they were discarded. */
  onDrop(count: number, reason: DropReason): void;
}

export interface BatchQueue<T> {
  /** Queues an item without blocking; false when the queue is full (the item is dropped and counted). */
  push(item: T): boolean;
  /** Writes what is queued now, batch by batch; rejects on the first failed write, keeping the rest queued. */
  flush(): Promise<void>;
  /** Starts the background writer. */
  start(): void;
  /** Stops the background writer, then flushes. */
  stop(): Promise<void>;
  /** Drops (and counts) everything queued, e.g. at shutdown when it cannot be written. */
  discard(): number;
  pending(): number;
  dropped(): number;
}

const ignore = () => {};

/**
 * A bounded in-memory queue written in batches by one writer at a time: pushing never waits
 * for I/O, a failed write keeps its items for a retry, and overflow is counted, never silent.
 */
export function createBatchQueue<T>(o: BatchQueueOptions<T>): BatchQueue<T> {
  const items: T[] = [];
  const batchSize = Math.max(1, Math.min(o.batchSize, o.maxQueue));
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  /** The write in progress; later drains chain after it, so batches never overlap. */
  let tail: Promise<void> | undefined;

  const drop = (n: number, reason: DropReason) => {
    dropped += n;
    o.onDrop(n, reason);
  };

  /** Writes the items queued when it starts (not those arriving meanwhile, so a flush ends). */
  async function writeQueued(): Promise<void> {
    let left = items.length;
    while (left > 0 && items.length > 0) {
      const batch = items.slice(0, batchSize);
      const { refused } = await o.write(batch);
      items.splice(0, batch.length);
      left -= batch.length;
      if (refused > 0) drop(refused, 'refused');
    }
  }

  function drain(): Promise<void> {
    const run = (tail ?? Promise.resolve()).then(writeQueued, writeQueued);
    tail = run;
    const settle = () => {
      if (tail === run) tail = undefined;
    };
    run.then(settle, settle);
    return run;
  }

  /** Background drains report failures through `write`'s own handling; the items stay queued. */
  const drainInBackground = () => {
    if (tail === undefined && items.length > 0) drain().catch(ignore);
  };

  return {
    push(item) {
      if (items.length >= o.maxQueue) {
        drop(1, 'full');
        return false;
      }
      items.push(item);
      if (timer !== undefined && items.length >= batchSize) drainInBackground();
      return true;
    },
    flush: drain,
    start() {
      if (timer !== undefined) return;
      timer = setInterval(drainInBackground, o.flushMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await drain();
    },
    discard() {
      const n = items.splice(0).length;
      if (n > 0) drop(n, 'discarded');
      return n;
    },
    pending: () => items.length,
    dropped: () => dropped,
  };
}
