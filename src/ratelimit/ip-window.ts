import type { Collection } from 'mongodb';
import type { Limit } from '../config/index.js';
import { allowed, denied } from './account-lock.js';
import type { LimitDecision } from './types.js';
import { isDuplicateKey } from './versioned-state.js';

/** One counted request: slot `n` of a window, `_id = key:n`. */
export interface WindowSlot {
  _id: string;
  key: string;
  expiresAt: Date;
}

export interface Window {
  start: number;
  end: number;
}

export function windowAt(now: number, limit: Limit): Window {
  const ms = limit.windowSeconds * 1000;
  const start = now - (now % ms);
  return { start, end: start + ms };
}

/**
 * Counts one request against `limit` in the window holding `now`.
 *
 * A window has `maxAttempts` numbered slots, and a request passes only by claiming a free one
 * with an insert (`_id = key:n`). Why not `$inc`: FerretDB v1 applies it as read-then-rewrite, so
 * parallel requests lose increments and more of them pass. A taken `_id` fails on every server, so
 * exactly `min(requests, maxAttempts)` requests pass per window, on any number of instances; the
 * count of claimed slots is where a request starts looking, and once the window is full it is
 * refused without writing anything.
 */
export async function hitWindow(
  coll: Collection<WindowSlot>,
  key: string,
  limit: Limit,
  now: number,
): Promise<LimitDecision> {
  const { end } = windowAt(now, limit);
  const expiresAt = new Date(end);
  for (let n = await coll.countDocuments({ key, expiresAt: { $gt: new Date(now) } }); n < limit.maxAttempts; n++) {
    try {
      await coll.insertOne({ _id: `${key}:${n}`, key, expiresAt });
      return allowed;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return denied(end - now);
}
