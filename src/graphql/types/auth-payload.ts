import type { AuthResult } from '../../flows/index.js';
import { builder } from '../builder.js';
import { unauthenticated } from '../errors.js';
import { SessionRef } from './session.js';
import { UserRef } from './user.js';

/** In cookie mode both tokens travel only as HttpOnly cookies (scripts never need them), so the payload's are null. */
export interface AuthPayloadView {
  result: AuthResult;
  tokensInBody: boolean;
}

export const AuthPayloadRef = builder.objectRef<AuthPayloadView>('AuthPayload').implement({
  fields: (t) => ({
    accessToken: t.string({
      nullable: true,
      description: 'The access token; null in cookie mode, where it travels only in the HttpOnly cookie.',
      resolve: (p) => (p.tokensInBody ? p.result.accessToken : null),
    }),
    refreshToken: t.string({
      nullable: true,
      description: 'The refresh token; null in cookie mode, where it travels only in the HttpOnly cookie.',
      resolve: (p) => (p.tokensInBody ? p.result.refreshToken : null),
    }),
    tokenType: t.string({ resolve: () => 'Bearer' }),
    expiresIn: t.int({ resolve: (p) => p.result.expiresIn }),
    user: t.field({
      type: UserRef,
      resolve: async (p, _a, ctx) => {
        const user = p.result.user ?? (await ctx.services.identity.findById(ctx.app.slug, p.result.userId));
        if (!user) throw unauthenticated('Invalid refresh token'); // the account is gone
        return user;
      },
    }),
    session: t.field({
      type: SessionRef,
      resolve: (p) => ({ record: p.result.session, currentSessionId: p.result.session.id }),
    }),
  }),
});
