import type { SessionRecord } from '../../sessions/index.js';
import { builder } from '../builder.js';

/** A session as shown to its owner; `current` compares with the session the caller's token (or payload) belongs to. */
export interface SessionView {
  record: SessionRecord;
  currentSessionId: string | undefined;
}

export const SessionRef = builder.objectRef<SessionView>('Session').implement({
  fields: (t) => ({
    id: t.id({ resolve: (s) => s.record.id }),
    current: t.boolean({ resolve: (s) => s.record.id === s.currentSessionId }),
    deviceId: t.string({ nullable: true, resolve: (s) => s.record.deviceId }),
    userAgent: t.string({ nullable: true, resolve: (s) => s.record.userAgent }),
    ip: t.string({ nullable: true, resolve: (s) => s.record.ip }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.record.createdAt }),
    lastActiveAt: t.field({ type: 'DateTime', resolve: (s) => s.record.lastActiveAt }),
    expiresAt: t.field({ type: 'DateTime', resolve: (s) => s.record.expiresAt }),
  }),
});
