import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';

/** Refresh tokens are stored only as SHA-256 hex (DESIGN.md): the head of a session is this hash. */
export const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** A session as its client knows it: the tokens it was last handed. */
export interface HeldSession {
  userId: string;
  sessionId: string;
  refreshToken: string;
  accessToken: string;
}

interface StoredSession {
  _id: string;
  userId: string;
  refreshHash: string;
  revokedAt: Date | null;
  revokeReason: string | null;
  expiresAt: Date;
  createdAt: Date;
}

export interface Reconciliation {
  /** Live sessions in the database for these users. */
  live: number;
  /** Held by a client, yet not live in the database. */
  lost: string[];
  /** Live in the database, yet no client was told about it. */
  orphans: StoredSession[];
  /** Held, live, but the database's current hash is not the client's token. */
  notHead: string[];
  /** Ended by a client (logout), yet still live in the database. */
  endedButLive: string[];
  /** Session ids stored more than once (cannot happen with `_id`, checked anyway), or one token hash in two sessions. */
  duplicates: string[];
}

/**
 * Compares the `sessions` collection with what clients were told: every held session live with the
 * client's token as its head, every ended one revoked, and nothing else live for these users.
 */
export async function reconcileSessions(
  db: Db,
  app: string,
  userIds: string[],
  held: HeldSession[],
  ended: string[] = [],
): Promise<Reconciliation> {
  const docs = await db
    .collection<StoredSession>('sessions')
    .find({ app, userId: { $in: userIds } })
    .toArray();
  const now = Date.now();
  const isLive = (d: StoredSession) => d.revokedAt === null && d.expiresAt.getTime() > now;
  const byId = new Map<string, StoredSession>();
  const duplicates: string[] = [];
  const hashes = new Set<string>();
  for (const d of docs) {
    if (byId.has(d._id)) duplicates.push(d._id);
    if (hashes.has(d.refreshHash)) duplicates.push(`hash of ${d._id}`);
    byId.set(d._id, d);
    hashes.add(d.refreshHash);
  }
  const heldIds = new Set(held.map((h) => h.sessionId));
  const lost = held.filter((h) => !byId.get(h.sessionId) || !isLive(byId.get(h.sessionId)!)).map((h) => h.sessionId);
  const notHead = held
    .filter((h) => byId.get(h.sessionId) && byId.get(h.sessionId)!.refreshHash !== sha256(h.refreshToken))
    .map((h) => h.sessionId);
  const orphans = docs.filter((d) => isLive(d) && !heldIds.has(d._id));
  const endedButLive = ended.filter((id) => byId.get(id) && isLive(byId.get(id)!));
  return { live: docs.filter(isLive).length, lost, orphans, notHead, endedButLive, duplicates };
}
