import { builder } from '../builder.js';
import { SessionRef, UserRef } from '../types/index.js';
import { caller } from './identity.js';

builder.queryFields((t) => ({
  me: t.field({
    type: UserRef,
    nullable: true,
    directives: { auth: {} },
    resolve: (_r, _a, ctx) => ctx.services.identity.findById(ctx.app.slug, caller(ctx).userId),
  }),
  sessions: t.field({
    type: [SessionRef],
    directives: { auth: {} },
    resolve: async (_r, _a, ctx) => {
      const who = caller(ctx);
      const list = await ctx.services.sessions.list(ctx.app, who.userId);
      return list.map((record) => ({ record, currentSessionId: who.sessionId }));
    },
  }),
}));
