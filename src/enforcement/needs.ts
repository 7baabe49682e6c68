import type { DocumentNode, GraphQLSchema } from 'graphql';
import { policyPermission, requirementOf } from '../vocabulary/index.js';
import { type Plan, planFor } from './plan.js';

/** A (resource, action) pair, as @permission and @policy name them. */
export interface Permission {
  resource: string;
  action: string;
}

/** What an operation's guarded fields will ask about: whether roles matter, and which permissions. */
export interface Needs {
  /** Some checked field is guarded at all. */
  any: boolean;
  roles: boolean;
  permissions: Permission[];
}

const NONE: Needs = Object.freeze({ any: false, roles: false, permissions: [] }) as Needs;
const memo = new WeakMap<Plan, Needs>();

/**
 * The union of the requirements of every field of a plan (all operations and fragments of its
 * document: asking a little more than one operation needs is harmless), so that a caller's roles
 * and permissions can be fetched before the synchronous field checks ask for them.
 */
export function needsOfPlan(schema: GraphQLSchema, plan: Plan): Needs {
  const hit = memo.get(plan);
  if (hit) return hit;
  let any = false;
  let roles = false;
  const permissions = new Map<string, Permission>();
  const add = (p: Permission | undefined) => {
    if (p) permissions.set(`${p.resource}\0${p.action}`, p);
  };
  for (const { parentType, field } of plan) {
    const req = requirementOf(schema, parentType, field);
    if (!req.authenticated) continue;
    any = true;
    if (req.roleSets.length || req.scopeAlternatives.length) roles = true;
    for (const p of req.permissions) add(p);
    for (const alt of req.policyAlternatives)
      for (const all of alt) for (const policy of all) add(policyPermission(policy));
  }
  const needs = any ? { any, roles, permissions: [...permissions.values()] } : NONE;
  memo.set(plan, needs);
  return needs;
}

/** needsOfPlan of a document's plan: memoized per parsed document. */
export const needsOf = (schema: GraphQLSchema, document: DocumentNode): Needs =>
  needsOfPlan(schema, planFor(schema, document));
