import { builder } from '../builder.js';
import { badInput } from '../errors.js';
import { AuditEventRef } from '../types/index.js';

builder.queryField('auditEvents', (t) =>
  t.field({
    type: [AuditEventRef],
    directives: { permission: { resource: 'audit', action: 'read' } },
    args: {
      first: t.arg.int({ required: false, defaultValue: 50 }),
      userId: t.arg.id({ required: false }),
      type: t.arg.string({ required: false }),
    },
    resolve: (_r, a, ctx) => {
      const first = a.first ?? 50;
      if (first < 1 || first > 500) throw badInput('first', 'first must be between 1 and 500');
      return ctx.services.audit.query(ctx.app.slug, {
        first,
        userId: a.userId === null || a.userId === undefined ? null : String(a.userId),
        type: a.type ?? null,
      });
    },
  }),
);
