import type { Collection, Document, Filter, IndexSpecification } from 'mongodb';

/** How often sweepers run where the server has no TTL (FerretDB v1 refuses expireAfterSeconds). */
export const DEFAULT_SWEEP_MS = 60_000;

export interface TtlIndexResult {
  /** false when the server refused TTL (FerretDB v1): the caller must sweep expired documents itself. */
  ttl: boolean;
}

/**
 * Creates a TTL index on `field` (documents die when `field` is in the past), or, where the
 * server has no TTL indexes, a plain index on it so a sweeper can delete expired documents.
 * TTL is garbage collection only: every read checks expiry itself.
 */
export async function ensureTtlIndex<T extends Document>(coll: Collection<T>, field: string): Promise<TtlIndexResult> {
  try {
    await coll.createIndex({ [field]: 1 } as IndexSpecification, { expireAfterSeconds: 0, name: `${field}_ttl` });
    return { ttl: true };
  } catch {
    await coll.createIndex({ [field]: 1 } as IndexSpecification, { name: `${field}_1` });
    return { ttl: false };
  }
}

export interface SweepOptions<T extends Document> {
  /** Default DEFAULT_SWEEP_MS; tests pass a few ms. */
  intervalMs?: number | undefined;
  /** The domain clock: "expired" means what every read means by it. Default: the real time. */
  now?: () => Date;
  /** What to delete at `now`; default `{ [field]: { $lt: now } }`. */
  filter?: (now: Date) => Filter<T>;
}

/**
 * Expiry for a collection: a TTL index where the server honours it, else a plain index and a
 * sweeper (see startSweeper). Returns the function that stops the sweeper (a no-op with TTL).
 */
export async function expireDocuments<T extends Document>(
  coll: Collection<T>,
  field: string,
  opts: SweepOptions<T> = {},
): Promise<() => void> {
  const { ttl } = await ensureTtlIndex(coll, field);
  return ttl ? () => {} : startSweeper(coll, field, opts);
}

/**
 * Deletes documents whose `field` is past (or what `filter` selects), every `intervalMs`, where
 * TTL indexes are missing. Returns the stop function.
 */
export function startSweeper<T extends Document>(
  coll: Collection<T>,
  field: string,
  opts: SweepOptions<T> = {},
): () => void {
  const now = opts.now ?? (() => new Date());
  const filter = opts.filter ?? ((at: Date) => ({ [field]: { $lt: at } }) as Filter<T>);
  const timer = setInterval(() => {
    coll.deleteMany(filter(now())).catch(() => {
      // the database may be down; the next tick tries again
    });
  }, opts.intervalMs ?? DEFAULT_SWEEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}
