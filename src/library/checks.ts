import {
  type DocumentNode,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Permission } from '../authz/index.js';
import { type CallerChecks, meets, policyPermission, requirementOf } from '../vocabulary/index.js';

export { type CallerChecks, meets, policyPermission };

/** What an operation's guarded fields will ask about: whether roles matter, and which permissions. */
export interface Needs {
  /** Some selected field is guarded at all. */
  any: boolean;
  roles: boolean;
  permissions: Permission[];
}

const NONE: Needs = Object.freeze({ any: false, roles: false, permissions: [] }) as Needs;
const memo = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Needs>>();

/**
 * The union of the requirements of every field the document selects (all its operations and
 * fragments: asking a little more than one operation needs is harmless). Memoized per parsed
 * document, which servers cache.
 */
export function needsOf(schema: GraphQLSchema, document: DocumentNode): Needs {
  let bySchema = memo.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    memo.set(schema, bySchema);
  }
  const hit = bySchema.get(document);
  if (hit) return hit;
  let any = false;
  let roles = false;
  const permissions = new Map<string, Permission>();
  const add = (p: Permission | undefined) => {
    if (p) permissions.set(`${p.resource}\0${p.action}`, p);
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      [Kind.FIELD]() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!field || !(isObjectType(parent) || isInterfaceType(parent))) return;
        const req = requirementOf(schema, parent, field);
        if (!req.authenticated) return;
        any = true;
        if (req.roleSets.length || req.scopeAlternatives.length) roles = true;
        for (const p of req.permissions) add(p);
        for (const alt of req.policyAlternatives)
          for (const all of alt) for (const policy of all) add(policyPermission(policy));
      },
    }),
  );
  const needs = any ? { any, roles, permissions: [...permissions.values()] } : NONE;
  bySchema.set(document, needs);
  return needs;
}
