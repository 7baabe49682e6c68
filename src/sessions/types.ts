import type { AppConfig } from '../config/index.js';

export type RevokeReason =
  | 'logout'
  | 'logout_all'
  | 'revoked'
  | 'password_change'
  | 'password_reset'
  | 'reuse_detected'
  | 'session_limit'
  | 'inactive';

export interface SessionRecord {
  id: string;
  app: string;
  userId: string;
  deviceId: string | null;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface DeviceInfo {
  deviceId?: string | null;
  userAgent?: string | null;
  ip?: string | null;
}

export interface CreatedSession {
  session: SessionRecord;
  refreshToken: string;
  /** Sessions revoked to stay within max_per_user. */
  evicted: string[];
}

/** A session inserted, its eviction pass still to run (after the insert, so concurrent logins converge). */
export interface OpenedSession {
  session: SessionRecord;
  refreshToken: string;
  /** Revokes the user's live sessions past max_per_user; returns their ids. */
  evict(): Promise<string[]>;
}

export type RotateResult =
  | { ok: true; session: SessionRecord; refreshToken: string; reused: boolean }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'theft'; sessionId?: string; userId?: string };

export interface SessionService {
  start(): Promise<void>;
  stop(): void;
  create(app: AppConfig, userId: string, device: DeviceInfo): Promise<CreatedSession>;
  /** `create` without waiting for the eviction: one insert; the caller runs `evict()` (the login flow after its response). */
  open(app: AppConfig, userId: string, device: DeviceInfo): Promise<OpenedSession>;
  /** One conditional findOneAndUpdate; within the grace window the same successor; after it, theft revokes the session. */
  rotate(app: AppConfig, refreshToken: string, device: DeviceInfo): Promise<RotateResult>;
  /** Live (not revoked, not expired, not inactive) sessions of the user, most recently active first. */
  list(app: AppConfig, userId: string): Promise<SessionRecord[]>;
  /** Live session by id, or null. */
  get(app: AppConfig, sessionId: string): Promise<SessionRecord | null>;
  /** Revokes one session if it belongs to `userId`; false (nothing changes) otherwise. */
  revoke(app: AppConfig, userId: string, sessionId: string, reason: RevokeReason): Promise<boolean>;
  /** Revokes every live session of the user except `keep`; returns how many. */
  revokeAll(app: AppConfig, userId: string, reason: RevokeReason, keep?: string): Promise<number>;
}

/** The revocation feed every instance polls into memory: the hot path asks it, never the database. */
export interface RevocationFeed {
  start(): Promise<void>;
  stop(): void;
  isRevoked(sessionId: string): boolean;
  /** False once the feed has not been refreshed within its bound: protected fields then fail closed. */
  isFresh(): boolean;
  /** Milliseconds since the last successful poll. */
  lagMs(): number;
  /** Records revocations (database first, then the local set at once). */
  publish(app: string, sessionIds: string[], reason: RevokeReason): Promise<void>;
  /** Polls now (tests, and after a write that must be visible at once). */
  poll(): Promise<void>;
  size(): number;
}
