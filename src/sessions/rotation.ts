import type { Collection } from 'mongodb';
import type { AppConfig } from '../config/index.js';
import { isWellFormedToken, type SuccessorChain } from './refresh-token.js';
import { deviceFields, inactiveBefore, isLive, type SessionDoc, toSessionRecord } from './session-store.js';
import type { DeviceInfo, RevokeReason, RotateResult } from './types.js';

/** Longest apply delay that widens the grace window: bounds the effect of a database clock far ahead. */
export const MAX_APPLY_LAG_MS = 5 * 60_000;

/**
 * When the grace window of the last rotation closes (domain clock, ms; -Infinity if there is none).
 * It runs from when the rotation was *applied*: a write the database held back (frozen, paused) and
 * applied after the client gave up must still let that client's retry through, not look like theft.
 * The delay is measured as database clock at apply minus this host's clock at send, clamped to
 * [0, MAX_APPLY_LAG_MS], so modest clock skew only lengthens the window a little.
 */
export function graceEnds(
  doc: Pick<SessionDoc, 'rotatedAt' | 'rotationSentAt' | 'rotationAppliedAt'>,
  app: AppConfig,
): number {
  const graceMs = app.tokens.refreshGraceSeconds * 1000;
  if (graceMs <= 0 || !doc.rotatedAt) return Number.NEGATIVE_INFINITY;
  const sent = doc.rotationSentAt?.getTime();
  const applied = doc.rotationAppliedAt?.getTime();
  const lag = sent === undefined || applied === undefined ? 0 : Math.min(Math.max(applied - sent, 0), MAX_APPLY_LAG_MS);
  return doc.rotatedAt.getTime() + graceMs + lag;
}

export interface RotationContext {
  sessions: Collection<SessionDoc>;
  chain: SuccessorChain;
  now(): Date;
  /** Revokes one session (if still live) and publishes it to the revocation feed. */
  revoke(app: AppConfig, sessionId: string, reason: RevokeReason): Promise<void>;
}

/**
 * CONTRACT "refresh": exactly one rotation per token. The normal path is ONE conditional
 * findOneAndUpdate matching the current hash of a live session; only when it misses do we look
 * further, to tell a retry inside the grace window (same successor again) from a replay (theft).
 */
export async function rotateRefreshToken(
  ctx: RotationContext,
  app: AppConfig,
  token: string,
  device: DeviceInfo,
): Promise<RotateResult> {
  if (!isWellFormedToken(token)) return { ok: false, reason: 'unknown' };
  const now = ctx.now();
  const successor = ctx.chain.successor(token);
  const [hash, successorHash, ...later] = ctx.chain.hashes(token) as [string, string, ...string[]];
  const { deviceId: _fixedAtLogin, ...seen } = deviceFields(device);
  const rotated = await ctx.sessions.findOneAndUpdate(
    {
      refreshHash: hash,
      app: app.slug,
      revokedAt: null,
      expiresAt: { $gt: now },
      lastActiveAt: { $gt: inactiveBefore(app, now) },
    },
    {
      // rotationSentAt (this host's real clock) and rotationAppliedAt (the database's) measure how late
      // the write landed: a frozen database can apply it after the client gave up (see graceEnds).
      $set: {
        refreshHash: successorHash,
        prevHash: hash,
        rotatedAt: now,
        rotationSentAt: new Date(),
        lastActiveAt: now,
        ...seen,
      },
      $currentDate: { rotationAppliedAt: true },
      $inc: { rotations: 1 },
    },
    { returnDocument: 'after' },
  );
  if (rotated) return { ok: true, session: toSessionRecord(rotated), refreshToken: successor, reused: false };

  // Slow path. Position k in this list = how many rotations ago `token` was current.
  const chain = [hash, successorHash, ...later];
  const doc = await ctx.sessions.findOne({ app: app.slug, refreshHash: { $in: chain } });
  if (!doc) return { ok: false, reason: 'unknown' };
  const who = { sessionId: doc._id, userId: doc.userId };
  if (doc.revokedAt) return { ok: false, reason: 'revoked', ...who };
  if (!isLive(doc, app, now)) {
    await ctx.revoke(app, doc._id, 'inactive');
    return { ok: false, reason: 'expired', ...who };
  }
  const age = chain.indexOf(doc.refreshHash);
  // The token rotated last, within the window: parallel tabs and retries get the same successor.
  // (k = 1 means the session's current hash IS sha256(successor), so it is still valid to hand out.)
  if (age === 1 && now.getTime() <= graceEnds(doc, app)) {
    return { ok: true, session: toSessionRecord(doc), refreshToken: successor, reused: true };
  }
  if (age === 0) return { ok: false, reason: 'expired', ...who }; // live and current, yet the update missed: a clock edge
  // A rotated token after the window (or one older than the last rotation): theft. The whole
  // session dies, including the newest refresh token and its access tokens.
  await ctx.revoke(app, doc._id, 'reuse_detected');
  return { ok: false, reason: 'theft', ...who };
}
