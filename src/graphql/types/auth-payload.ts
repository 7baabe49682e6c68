import type { AuthResult } from '../../flows/index.js';
import { builder } from '../builder.js';
import { unauthenticated } from '../errors.js';
import { SessionRef } from './session.js';
import { UserRef } from './user.js';

/** In cookie mode the refresh token travels only as an HttpOnly cookie, so the payload's is null. */
export interface AuthPayloadView {
  result: AuthResult;
  refreshTokenInBody: boolean;
}

export const AuthPayloadRef = builder.objectRef<AuthPayloadView>('AuthPayload').implement({
  fields: (t) => ({
    accessToken: t.string({ resolve: (p) => p.result.accessToken }),
    refreshToken: t.string({ nullable: true, resolve: (p) => (p.refreshTokenInBody ? p.result.refreshToken : null) }),
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
