import type { UserRecord } from '../../identity/index.js';
import { builder } from '../builder.js';
import type { GatehouseContext } from '../context.js';
import { forbidden, unauthenticated } from '../errors.js';
import { UserRef } from './user.js';

/**
 * `User @key(fields: "id")`: other subgraphs may reference a Gatehouse user by id. `_entities`
 * carries @auth (refused before execution without a valid token); this resolver adds the
 * object-level rule generic-auth cannot express: a caller resolves only itself unless it holds
 * `users:read` (the same permission `Query.user` demands). Async, so a refusal nulls only its own
 * entry of the `_entities` list, not the whole answer.
 */
export async function resolveUserReference(ref: { id: string }, ctx: GatehouseContext): Promise<UserRecord | null> {
  const who = ctx.currentUser;
  if (!who) throw unauthenticated();
  const id = String(ref.id);
  if (id !== who.userId && !ctx.services.authz(who.app).can(who.app, who.userId, 'users', 'read')) throw forbidden();
  return ctx.services.identity.findById(ctx.app.slug, id);
}

builder.asEntity(UserRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => resolveUserReference(ref, ctx as GatehouseContext),
});
