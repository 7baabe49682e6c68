import type { AuditEvent } from '../../audit/index.js';
import { builder } from '../builder.js';

export const AuditEventRef = builder.objectRef<AuditEvent>('AuditEvent').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    type: t.exposeString('type'),
    userId: t.id({ nullable: true, resolve: (e) => e.userId ?? null }),
    sessionId: t.id({ nullable: true, resolve: (e) => e.sessionId ?? null }),
    ip: t.string({ nullable: true, resolve: (e) => e.ip ?? null }),
    outcome: t.exposeString('outcome'),
  }),
});
