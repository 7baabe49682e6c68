import { type Collection, MongoServerError } from 'mongodb';
import type { Clock } from '../clock.js';

/** One version of a key's state. Versions are only ever inserted, never updated. */
export interface StateVersion<S> {
  _id: string;
  key: string;
  v: number;
  state: S;
  /** Garbage collection only (TTL or sweeper); never earlier than an older version's. */
  expiresAt: Date;
}

export interface Step<S, R> {
  result: R;
  /** The new state, if this step changes it. */
  next?: S;
}

/** Too many concurrent writers for one key: the caller fails closed. */
export class ContentionError extends Error {
  constructor(key: string) {
    super(`rate limit state of ${key.split(':', 2).join(':')}… kept changing under us`);
  }
}

export const isDuplicateKey = (err: unknown) => err instanceof MongoServerError && err.code === 11000;

/**
 * Read-modify-write of a per-key state that stays exact with many instances writing at once.
 *
 * Why not findOneAndUpdate with a condition: FerretDB v1 runs it as read, compute in Go, rewrite
 * (measured: 50 parallel `$inc` upserts leave 13; a conditional `$inc` guarded by `$lt: 5` lets 46
 * through). An insert with a taken `_id` fails on every server, so each change inserts version
 * v+1 under `_id = key#v+1`: exactly one writer wins it, the others re-read and decide again.
 * A step that changes nothing (a denial) costs one read.
 */
export async function updateState<S extends { expiresAt: number }, R>(
  coll: Collection<StateVersion<S>>,
  key: string,
  clock: Clock,
  step: (state: S | null, now: number) => Step<S, R>,
  maxTries: number,
): Promise<R> {
  for (let i = 0; i < maxTries; i++) {
    const now = clock.ms();
    const latest = await coll.findOne({ key }, { sort: { v: -1 } });
    const live = latest && latest.expiresAt.getTime() > now ? latest.state : null;
    const { result, next } = step(live, now);
    if (!next) return result;
    const v = (latest?.v ?? 0) + 1;
    // Monotonic expiry: a sweeper then always removes older versions first, so the newest
    // surviving version is the current one.
    const expiresAt = new Date(Math.max(next.expiresAt, latest?.expiresAt.getTime() ?? 0));
    try {
      await coll.insertOne({ _id: `${key}#${v}`, key, v, state: next, expiresAt });
      return result;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  throw new ContentionError(key);
}
