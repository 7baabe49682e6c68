import { builder } from '../builder.js';
import { requestInfo } from '../credentials.js';
import { PermissionRef, UserRef } from '../types/index.js';
import { caller } from './identity.js';

builder.queryFields((t) => ({
  permissions: t.field({
    type: [PermissionRef],
    directives: { auth: {} },
    resolve: (_r, _a, ctx) => ctx.services.authz(ctx.app.slug).permissionsFor(ctx.app.slug, caller(ctx).userId),
  }),
  can: t.boolean({
    directives: { auth: {} },
    args: { resource: t.arg.string({ required: true }), action: t.arg.string({ required: true }) },
    resolve: (_r, { resource, action }, ctx) =>
      ctx.services.authz(ctx.app.slug).can(ctx.app.slug, caller(ctx).userId, resource, action),
  }),
  user: t.field({
    type: UserRef,
    nullable: true,
    directives: { permission: { resource: 'users', action: 'read' } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.identity.findById(ctx.app.slug, String(id)),
  }),
}));

builder.mutationFields((t) => {
  const role = (grant: boolean) =>
    t.boolean({
      directives: { permission: { resource: 'roles', action: 'manage' } },
      args: { userId: t.arg.id({ required: true }), role: t.arg.string({ required: true }) },
      resolve: (_r, a, ctx) =>
        ctx.flows.setRole(ctx.app, caller(ctx), { userId: String(a.userId), role: a.role, grant }, requestInfo(ctx)),
    });
  const policy = (add: boolean) =>
    t.boolean({
      directives: { permission: { resource: 'policies', action: 'manage' } },
      args: {
        role: t.arg.string({ required: true }),
        resource: t.arg.string({ required: true }),
        action: t.arg.string({ required: true }),
      },
      resolve: (_r, a, ctx) => ctx.flows.setPolicy(ctx.app, caller(ctx), { ...a, add }, requestInfo(ctx)),
    });
  return { grantRole: role(true), revokeRole: role(false), addPolicy: policy(true), removePolicy: policy(false) };
});
