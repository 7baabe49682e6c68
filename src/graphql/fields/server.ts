import { builder } from '../builder.js';

// Public: lets clients measure their clock offset before judging a token's expiry.
builder.queryField('serverTime', (t) =>
  t.field({
    type: 'DateTime',
    description: "The server's current time.",
    resolve: (_r, _a, ctx) => ctx.services.clock.now(),
  }),
);
