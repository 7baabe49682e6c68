import type { AuthResult } from '../../flows/index.js';
import { builder } from '../builder.js';
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
    user: t.field({ type: UserRef, resolve: (p) => p.result.user }),
    session: t.field({
      type: SessionRef,
      resolve: (p) => ({ record: p.result.session, currentSessionId: p.result.session.id }),
    }),
  }),
});
