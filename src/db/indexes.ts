import type { Collection, Document, IndexSpecification } from 'mongodb';

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

/** Deletes documents whose `field` is past, every `intervalMs`, where TTL indexes are missing. */
export function startSweeper<T extends Document>(coll: Collection<T>, field: string, intervalMs = 60_000): () => void {
  const timer = setInterval(() => {
    coll.deleteMany({ [field]: { $lt: new Date() } } as never).catch(() => {
      // the database may be down; the next tick tries again
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
