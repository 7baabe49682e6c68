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

/** What a process remembers of how many slots of a window are taken (an LRU in production). */
export interface SlotMemory {
  get(key: string): number | undefined;
  set(key: string, taken: number): unknown;
}

/**
 * Takes the next slot number this process has not tried for `key`, or null when it knows the
 * window is full. Taken in memory before the insert, so concurrent requests of this process each
 * try a different slot instead of colliding on one (each collision is a refused insert, logged by
 * FerretDB and PostgreSQL). A number whose insert then fails for another reason stays skipped:
 * this process may refuse one request early, never let one more through.
 */
export function nextSlot(
  claimed: SlotMemory,
  key: string,
  limit: Limit,
  now: number,
): { n: number; doc: WindowSlot } | null {
  const n = claimed.get(key) ?? 0;
  if (n >= limit.maxAttempts) return null;
  claimed.set(key, n + 1);
  return { n, doc: { _id: `${key}:${n}`, key, expiresAt: new Date(windowAt(now, limit).end) } };
}

/**
 * Counts one request against `limit` in the window holding `now`.
 *
 * A window has `maxAttempts` numbered slots, and a request passes only by claiming a free one
 * with an insert (`_id = key:n`). Why not `$inc`: FerretDB v1 applies it as read-then-rewrite, so
 * parallel requests lose increments and more of them pass. A taken `_id` fails on every server, so
 * exactly `min(requests, maxAttempts)` requests pass per window, on any number of instances.
 *
 * No reads: FerretDB v1's SQLite backend scans the whole collection for any query (a count per
 * request slowed logins as slots piled up), while the unique check of an insert uses its index.
 * `claimed` remembers per process the slots of recent windows taken or being tried; a request
 * claims the next one, stepping over those others took (each costs one refused insert, once per
 * process and window), and a full window is refused without touching the database.
 */
export async function hitWindow(
  coll: Collection<WindowSlot>,
  claimed: SlotMemory,
  key: string,
  limit: Limit,
  now: number,
): Promise<LimitDecision> {
  return claimFrom(coll, claimed, key, limit, now, nextSlot(claimed, key, limit, now));
}

/** hitWindow from a slot already taken in memory (`nextSlot`), or from none (the window is full). */
export async function claimFrom(
  coll: Collection<WindowSlot>,
  claimed: SlotMemory,
  key: string,
  limit: Limit,
  now: number,
  first: { doc: WindowSlot } | null,
): Promise<LimitDecision> {
  for (let slot = first; slot; slot = nextSlot(claimed, key, limit, now)) {
    try {
      await coll.insertOne(slot.doc);
      return allowed;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // taken by another instance: try the next one
    }
  }
  return denied(windowAt(now, limit).end - now);
}
