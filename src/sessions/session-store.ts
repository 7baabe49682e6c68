import type { Collection, Db, Filter } from 'mongodb';
import type { AppConfig } from '../config/index.js';
import type { DeviceInfo, RevokeReason, SessionRecord } from './types.js';

/**
 * One document per login per device. Only hashes of refresh tokens are stored: the current one
 * (`refreshHash`, unique) and the one it replaced (`prevHash`); older ones are recognised by
 * walking the successor chain (see refresh-token.ts), which needs no array — FerretDB ignores
 * `$slice`, so a capped `$push` history would grow without bound there.
 */
export interface SessionDoc {
  _id: string;
  app: string;
  userId: string;
  deviceId: string | null;
  userAgent: string | null;
  ip: string | null;
  refreshHash: string;
  prevHash: string | null;
  rotations: number;
  /** Domain clock at the last rotation request. */
  rotatedAt: Date | null;
  /** This host's real clock when it sent the last rotation, and the database's when it applied it
   * (absent on documents written before these existed). */
  rotationSentAt?: Date | null;
  rotationAppliedAt?: Date | null;
  createdAt: Date;
  lastActiveAt: Date;
  /** Absolute end: createdAt + refresh TTL. */
  expiresAt: Date;
  revokedAt: Date | null;
  revokeReason: RevokeReason | null;
}

// Device facts are client-supplied: keep them bounded.
const clip = (v: string | null | undefined, max: number) => (typeof v === 'string' && v ? v.slice(0, max) : null);

/** Device fields to store; `undefined` ones are left as they are. */
export function deviceFields(device: DeviceInfo): Partial<Pick<SessionDoc, 'deviceId' | 'userAgent' | 'ip'>> {
  const out: Partial<Pick<SessionDoc, 'deviceId' | 'userAgent' | 'ip'>> = {};
  if (device.deviceId !== undefined) out.deviceId = clip(device.deviceId, 128);
  if (device.userAgent !== undefined) out.userAgent = clip(device.userAgent, 512);
  if (device.ip !== undefined) out.ip = clip(device.ip, 64);
  return out;
}

export const inactiveBefore = (app: AppConfig, now: Date) =>
  new Date(now.getTime() - app.sessions.inactivityTimeout * 1000);

/** The query form of "live": not revoked, not past its absolute end, active recently. */
export const liveFilter = (app: AppConfig, now: Date): Filter<SessionDoc> => ({
  app: app.slug,
  revokedAt: null,
  expiresAt: { $gt: now },
  lastActiveAt: { $gt: inactiveBefore(app, now) },
});

/** The same rule for a document already read. */
export const isLive = (doc: SessionDoc, app: AppConfig, now: Date) =>
  doc.app === app.slug && doc.revokedAt === null && doc.expiresAt > now && doc.lastActiveAt > inactiveBefore(app, now);

/** Most recently active first; createdAt and _id make the order total, so concurrent evictors agree. */
export const RECENT_FIRST = { lastActiveAt: -1, createdAt: -1, _id: -1 } as const;

export const toSessionRecord = (d: SessionDoc): SessionRecord => ({
  id: d._id,
  app: d.app,
  userId: d.userId,
  deviceId: d.deviceId,
  userAgent: d.userAgent,
  ip: d.ip,
  createdAt: d.createdAt,
  lastActiveAt: d.lastActiveAt,
  expiresAt: d.expiresAt,
  revokedAt: d.revokedAt,
});

export const sessionsCollection = (db: Db): Collection<SessionDoc> => db.collection<SessionDoc>('sessions');
