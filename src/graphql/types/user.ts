import type { UserRecord } from '../../identity/index.js';
import { builder } from '../builder.js';

export const UserKindEnum = builder.enumType('UserKind', { values: ['PASSWORD', 'ANONYMOUS', 'DEMO'] as const });

export const UserRef = builder.objectRef<UserRecord>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    app: t.exposeString('app'),
    email: t.exposeString('email', { nullable: true }),
    kind: t.field({ type: UserKindEnum, resolve: (u) => u.kind }),
    roles: t.stringList({
      description: 'Current roles, read live from the authorization provider.',
      resolve: (u, _a, ctx) => ctx.services.authz(u.app).rolesFor(u.app, u.id),
    }),
    emailVerified: t.exposeBoolean('emailVerified', {
      description: 'The address was proven (verifyEmail or resetPassword); demo users are.',
    }),
    mfaEnabled: t.exposeBoolean('mfaEnabled', {
      description: 'Two-factor (TOTP) is on: login needs LoginInput.totpCode.',
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (u) => u.createdAt }),
    lastLoginAt: t.field({ type: 'DateTime', nullable: true, resolve: (u) => u.lastLoginAt }),
  }),
});
