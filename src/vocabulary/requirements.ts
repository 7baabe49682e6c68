import { getDirectiveExtensions } from '@graphql-tools/utils';
import {
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
} from 'graphql';

/** The role anonymous users hold, and only they (flows/roles.ts grants it). */
const ANONYMOUS_ROLE = 'anonymous';

type Directives = ReturnType<typeof getDirectiveExtensions>;

/** What a field demands of its caller, merged from every directive that guards it. */
export interface Requirement {
  /** A valid token is needed. */
  authenticated: boolean;
  /** Some @auth(allowAnonymous: false) applies: an anonymous user's token is not enough. */
  denyAnonymous?: boolean;
  /** The apps this field is served for (a downstream's `apps`); undefined: every app. */
  apps?: readonly string[];
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
  for (const a of (d.auth ?? []) as { roles?: string[] | null; allowAnonymous?: boolean | null }[]) {
    req.authenticated = true;
    if (a?.roles?.length) req.roleSets.push(a.roles);
    if (a?.allowAnonymous === false) req.denyAnonymous = true;
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

/** Marks a field as served only for some apps (the gateway sets it on a downstream's root fields). */
export const SERVED_APPS_EXTENSION = 'gatehouseApps';

/**
 * The type-level directives of what `field` returns: the type, or a union's members, or an
 * interface and its implementations. A field that leads to a guarded type is guarded itself, or
 * `{ guarded { __typename } }` would run its resolver (and any downstream call) unchecked.
 */
function addReturnType(req: Requirement, schema: GraphQLSchema, field: GraphQLField<unknown, unknown>): void {
  const returned = getNamedType(field.type);
  if (isObjectType(returned)) add(req, getDirectiveExtensions(returned, schema));
  else if (isInterfaceType(returned) || isUnionType(returned)) {
    if (isInterfaceType(returned)) add(req, getDirectiveExtensions(returned, schema));
    for (const t of schema.getPossibleTypes(returned)) add(req, getDirectiveExtensions(t, schema));
  }
}

/**
 * The merged requirement of `parent.field`: the parent type's, the field's own, and the returned
 * type's. Through an interface, the implementations' type- and field-level directives count too
 * (generic-auth checks only the interface), so a guarded type stays guarded however it is reached.
 * Pure over the (static) schema, so it is memoized per field.
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
  addReturnType(req, schema, field);
  if (isInterfaceType(parent)) {
    for (const impl of schema.getPossibleTypes(parent)) {
      add(req, getDirectiveExtensions(impl, schema));
      const f = impl.getFields()[field.name];
      if (f) add(req, getDirectiveExtensions(f, schema));
    }
  }
  // Gatehouse's own fields carry @permission and its Federation twin @policy: check it once.
  const required = new Set(req.permissions.map((x) => `${x.resource}:${x.action}`));
  req.policyAlternatives = req.policyAlternatives.filter(
    (alts) => !(alts.length === 1 && alts[0]!.length === 1 && required.has(alts[0]![0]!)),
  );
  const apps = field.extensions?.[SERVED_APPS_EXTENSION] as readonly string[] | undefined;
  const merged = req.authenticated ? req : EMPTY;
  const result = apps ? { ...merged, apps } : merged;
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
    const r: Requirement = {
      authenticated: false,
      roleSets: [],
      permissions: [],
      scopeAlternatives: [],
      policyAlternatives: [],
    };
    add(r, d);
    const fromPolicies = r.policyAlternatives.flat(2).flatMap((p) => policyPermission(p) ?? []);
    for (const p of [...r.permissions, ...fromPolicies]) pairs.set(`${p.resource}\u0000${p.action}`, p);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    take(getDirectiveExtensions(type, schema));
    for (const field of Object.values(type.getFields())) take(getDirectiveExtensions(field, schema));
  }
  return [...pairs.values()];
}

/** What one caller may do, answered synchronously (generic-auth's per-field check is synchronous). */
export interface CallerChecks {
  can(resource: string, action: string): boolean;
  hasRole(role: string): boolean;
}

/** `"resource:action"` (a Federation @policy) as a permission; the action is what follows the last colon. */
export function policyPermission(policy: string): { resource: string; action: string } | undefined {
  const i = policy.lastIndexOf(':');
  return i > 0 && i < policy.length - 1 ? { resource: policy.slice(0, i), action: policy.slice(i + 1) } : undefined;
}

const allowedPolicy = (who: CallerChecks) => (policy: string) => {
  const p = policyPermission(policy);
  return p !== undefined && who.can(p.resource, p.action);
};

/**
 * Whether a caller meets a field's merged requirement: one role of each @auth(roles:) set, every
 * @permission, and for @requiresScopes (scopes are roles) / @policy one alternative in full.
 */
export function meets(req: Requirement, who: CallerChecks): boolean {
  const hasRole = (r: string) => who.hasRole(r);
  if (req.denyAnonymous && hasRole(ANONYMOUS_ROLE)) return false;
  for (const set of req.roleSets) if (!set.some(hasRole)) return false;
  for (const p of req.permissions) if (!who.can(p.resource, p.action)) return false;
  for (const alternatives of req.scopeAlternatives) if (!alternatives.some((all) => all.every(hasRole))) return false;
  const allowed = allowedPolicy(who);
  for (const alternatives of req.policyAlternatives) if (!alternatives.some((all) => all.every(allowed))) return false;
  return true;
}
