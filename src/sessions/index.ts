export { CHAIN_DEPTH } from './refresh-token.js';
export { createRevocationFeed, POLL_OVERLAP_MS, type RevocationFeedSettings } from './revocation-feed.js';
export { createSessionService, type SessionSettings } from './service.js';
export type {
  CreatedSession,
  DeviceInfo,
  OpenedSession,
  RevocationFeed,
  RevokeReason,
  RotateResult,
  SessionRecord,
  SessionService,
} from './types.js';
