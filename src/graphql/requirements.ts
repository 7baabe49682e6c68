import { getDirectiveExtensions } from '@graphql-tools/utils';
import {
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
} from 'graphql';

type Directives = ReturnType<typeof getDirectiveExtensions>;

/** What a field demands of its caller, merged from every directive that guards it. */
export interface Requirement {
  /** A valid token is needed. */
  authenticated: boolean;
  /** Each inner list is "one of these roles" (from @auth(roles:)); all lists must hold. */
  roleSets: string[][];
  /** Every permission must hold. */
  permissions: { resource: string; action: string }[];
  /** Federation @requiresScopes / @policy: OR of AND (scopes are roles; policies are "resource:action"). */
  scopeAlternatives: string[][][];
  policyAlternatives: string[][][];
}

const EMPTY: Requirement = Object.freeze({
  authenticated: false,
  roleSets: [],
  permissions: [],
  scopeAlternatives: [],
  policyAlternatives: [],
}) as Requirement;

function add(req: Requirement, d: Directives | undefined): void {
  if (!d) return;
  for (const a of (d.auth ?? []) as { roles?: string[] | null }[]) {
    req.authenticated = true;
    if (a?.roles?.length) req.roleSets.push(a.roles);
  }
  if (d.authenticated?.length) req.authenticated = true;
  for (const p of (d.permission ?? []) as { resource: string; action: string }[]) {
    req.authenticated = true;
    req.permissions.push({ resource: p.resource, action: p.action });
  }
  for (const s of (d.requiresScopes ?? []) as { scopes: string[][] }[]) {
    req.authenticated = true;
    req.scopeAlternatives.push(s.scopes);
  }
  for (const p of (d.policy ?? []) as { policies: string[][] }[]) {
    req.authenticated = true;
    req.policyAlternatives.push(p.policies);
  }
}

/**
 * The merged requirement of `parent.field`. Through an interface, the implementations' type- and
 * field-level directives count too (generic-auth checks only the interface), so a guarded type
 * stays guarded however it is reached. Pure over the (static) schema, so it is memoized per field.
 */
export function requirementOf(
  schema: GraphQLSchema,
  parent: GraphQLObjectType | GraphQLInterfaceType,
  field: GraphQLField<unknown, unknown>,
): Requirement {
  const cache = memo(schema, parent);
  const hit = cache.get(field.name);
  if (hit) return hit;
  const req: Requirement = {
    authenticated: false,
    roleSets: [],
    permissions: [],
    scopeAlternatives: [],
    policyAlternatives: [],
  };
  add(req, getDirectiveExtensions(parent, schema));
  add(req, getDirectiveExtensions(field, schema));
  if (isInterfaceType(parent)) {
    for (const impl of schema.getPossibleTypes(parent)) {
      add(req, getDirectiveExtensions(impl, schema));
      const f = impl.getFields()[field.name];
      if (f) add(req, getDirectiveExtensions(f, schema));
    }
  }
  const result = req.authenticated ? req : EMPTY;
  cache.set(field.name, result);
  return result;
}

const memos = new WeakMap<GraphQLSchema, WeakMap<object, Map<string, Requirement>>>();
function memo(schema: GraphQLSchema, parent: object): Map<string, Requirement> {
  let bySchema = memos.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    memos.set(schema, bySchema);
  }
  let byParent = bySchema.get(parent);
  if (!byParent) {
    byParent = new Map();
    bySchema.set(parent, byParent);
  }
  return byParent;
}

/** Every (resource, action) a schema's @permission and @policy directives name: hints for providers that precompute. */
export function permissionPairs(schema: GraphQLSchema): { resource: string; action: string }[] {
  const pairs = new Map<string, { resource: string; action: string }>();
  const take = (d: Directives | undefined) => {
    const r: Requirement = { authenticated: false, roleSets: [], permissions: [], scopeAlternatives: [], policyAlternatives: [] };
    add(r, d);
    const fromPolicies = r.policyAlternatives.flat(2).map((p) => {
      const i = p.lastIndexOf(':');
      return { resource: p.slice(0, i), action: p.slice(i + 1) };
    });
    for (const p of [...r.permissions, ...fromPolicies]) if (p.resource && p.action) pairs.set(`${p.resource}\u0000${p.action}`, p);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    take(getDirectiveExtensions(type, schema));
    for (const field of Object.values(type.getFields())) take(getDirectiveExtensions(field, schema));
  }
  return [...pairs.values()];
}
