import type { Filter } from 'mongodb';
import type { AppConfig } from '../config/index.js';
import type { CoreDeps } from '../core/index.js';
import { expireDocuments } from '../db/index.js';
import { hashToken, newRefreshToken, newSessionId, successorChain } from './refresh-token.js';
import { rotateRefreshToken } from './rotation.js';
import {
  deviceFields,
  inactiveBefore,
  liveFilter,
  RECENT_FIRST,
  type SessionDoc,
  sessionsCollection,
  toSessionRecord,
} from './session-store.js';
import type { RevocationFeed, RevokeReason, SessionService } from './types.js';

/** What the session service needs of the manifest and the secret (built by the composition root). */
export interface SessionSettings {
  /** Every app: their inactivity timeouts decide what the sweeper removes. */
  apps: readonly AppConfig[];
  /** `deriveKey(secret, KEY_PURPOSES.refreshSuccessor)`: keys the refresh-token successor chain. */
  successorKey: Buffer;
}

export function createSessionService(
  deps: CoreDeps,
  settings: SessionSettings,
  revocations: RevocationFeed,
): SessionService {
  const sessions = sessionsCollection(deps.database.db);
  const chain = successorChain(settings.successorKey);
  const now = () => deps.clock.now();
  let stopSweeper: (() => void) | undefined;

  /** Revokes those of `ids` still unrevoked (and matching `owner`), then publishes them; returns how many. */
  async function revokeIds(app: AppConfig, ids: string[], reason: RevokeReason, owner?: string): Promise<number> {
    if (!ids.length) return 0;
    const mine = { _id: { $in: ids }, app: app.slug, ...(owner === undefined ? {} : { userId: owner }) };
    const { modifiedCount } = await sessions.updateMany(
      { ...mine, revokedAt: null },
      { $set: { revokedAt: now(), revokeReason: reason } },
    );
    // Publishing an id another caller revoked a moment ago is harmless; missing one is not — and a
    // retry after a failed publish changes no session, so publish what is revoked, not what changed.
    const revoked =
      modifiedCount === ids.length
        ? ids
        : (await sessions.find({ ...mine, revokedAt: { $ne: null } }, { projection: { _id: 1 } }).toArray()).map(
            (d) => d._id,
          );
    if (revoked.length) await revocations.publish(app.slug, revoked, reason);
    return modifiedCount;
  }

  /**
   * Keeps at most max_per_user live sessions: everything past that rank in one total order is
   * revoked. Concurrent logins each evict what lies past the limit in the set they read; the last
   * one to read sees every insert, so all converge on the same survivors.
   */
  async function evictBeyondLimit(app: AppConfig, userId: string): Promise<string[]> {
    const live = await sessions
      .find({ ...liveFilter(app, now()), userId }, { projection: { _id: 1 } })
      .sort(RECENT_FIRST)
      .toArray();
    const excess = live.slice(app.sessions.maxPerUser).map((d) => d._id);
    await revokeIds(app, excess, 'session_limit');
    return excess;
  }

  const service: SessionService = {
    async start() {
      await sessions.createIndex({ refreshHash: 1 }, { unique: true, name: 'refreshHash_unique' });
      await sessions.createIndex({ app: 1, userId: 1 }, { name: 'app_userId' });
      // Swept: past the absolute end, or idle past the app's inactivity timeout — dead either way
      // (rotation refuses both), and the idle rule bounds the collection by a week of logins, not a month.
      const apps = settings.apps;
      const dead = (at: Date): Filter<SessionDoc> => ({
        $or: [
          { expiresAt: { $lt: at } },
          ...apps.map((app) => ({ app: app.slug, lastActiveAt: { $lt: inactiveBefore(app, at) } })),
        ],
      });
      stopSweeper?.();
      stopSweeper = await expireDocuments(sessions, 'expiresAt', { intervalMs: deps.sweepMs, now, filter: dead });
    },

    stop() {
      stopSweeper?.();
      stopSweeper = undefined;
    },

    async create(app, userId, device) {
      const { session, refreshToken, evict } = await service.open(app, userId, device);
      return { session, refreshToken, evicted: await evict() };
    },

    async open(app, userId, device) {
      const at = now();
      const refreshToken = newRefreshToken();
      const doc: SessionDoc = {
        _id: newSessionId(),
        app: app.slug,
        userId,
        deviceId: null,
        userAgent: null,
        ip: null,
        ...deviceFields(device),
        refreshHash: hashToken(refreshToken),
        prevHash: null,
        rotations: 0,
        rotatedAt: null,
        createdAt: at,
        lastActiveAt: at,
        expiresAt: new Date(at.getTime() + app.tokens.refreshTtl * 1000),
        revokedAt: null,
        revokeReason: null,
      };
      await sessions.insertOne(doc);
      return { session: toSessionRecord(doc), refreshToken, evict: () => evictBeyondLimit(app, userId) };
    },

    async rotate(app, refreshToken, device) {
      const result = await rotateRefreshToken(
        { sessions, chain, now, revoke: (a, id, reason) => revokeIds(a, [id], reason).then(() => {}) },
        app,
        refreshToken,
        device,
      );
      // A server whose updates are read-modify-write (FerretDB v1) can let a rotation overwrite a
      // concurrent revocation; the feed still knows, so the rotation is refused and the mark restored.
      if (result.ok && revocations.isRevoked(result.session.id)) {
        await sessions.updateOne(
          { _id: result.session.id, revokedAt: null },
          { $set: { revokedAt: now(), revokeReason: 'revoked' } },
        );
        return { ok: false, reason: 'revoked', sessionId: result.session.id, userId: result.session.userId };
      }
      return result;
    },

    async list(app, userId) {
      const docs = await sessions
        .find({ ...liveFilter(app, now()), userId })
        .sort(RECENT_FIRST)
        .toArray();
      return docs.map(toSessionRecord);
    },

    async get(app, sessionId) {
      const doc = await sessions.findOne({ ...liveFilter(app, now()), _id: String(sessionId) });
      return doc ? toSessionRecord(doc) : null;
    },

    async revoke(app, userId, sessionId, reason) {
      return (await revokeIds(app, [String(sessionId)], reason, userId)) === 1;
    },

    async revokeAll(app, userId, reason, keep) {
      const live = await sessions.find({ ...liveFilter(app, now()), userId }, { projection: { _id: 1 } }).toArray();
      const ids = live.map((d) => d._id).filter((id) => id !== keep);
      return revokeIds(app, ids, reason, userId);
    },
  };
  return service;
}
