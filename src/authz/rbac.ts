import type { Permission } from './types.js';
import type { UserFacts } from './memo.js';

/** Casbin's default role manager follows at most this many role-to-role links. */
export const MAX_HIERARCHY = 10;

/** The subject a user is known by in the stored rows. */
export const subjectOf = (userId: string) => `user:${userId}`;

/**
 * Casbin's `keyMatch(key, pattern)`, byte for byte: a `*` in the pattern matches any suffix
 * (only the first `*` counts); without one, the strings must be equal.
 */
export function keyMatch(key: string, pattern: string): boolean {
  const star = pattern.indexOf('*');
  if (star === -1) return key === pattern;
  if (key.length > star) return key.slice(0, star) === pattern.slice(0, star);
  return key === pattern.slice(0, star);
}

/** The built-in model's matcher for one granted pattern: `keyMatch(obj) && (act == p.act || p.act == "*")`. */
export const permits = (granted: Permission, resource: string, action: string): boolean =>
  (granted.action === action || granted.action === '*') && keyMatch(resource, granted.resource);

/** One rule as Casbin holds it: `p` → [sub, dom, obj, act], `g` → [member, role, dom]. */
export type Rule = readonly string[];

/** A map key for one (resource, action) pair. */
export const pairKey = (p: Permission) => `${p.resource}\u0000${p.action}`;

/**
 * One app's rows, indexed for the per-user memo: who holds which role (directly) and what each
 * grantee is granted. Built once per policy revision; answers in time proportional to the user's
 * own roles and grants, never to the size of the policy.
 */
export class PolicyIndex {
  private readonly parents = new Map<string, string[]>();
  private readonly grants = new Map<string, Permission[]>();

  constructor(
    readonly domain: string,
    policies: Iterable<Rule>,
    groupings: Iterable<Rule>,
  ) {
    for (const [sub, dom, resource, action] of policies) {
      if (dom !== domain || sub === undefined || resource === undefined || action === undefined) continue;
      push(this.grants, sub, { resource, action });
    }
    for (const [member, role, dom] of groupings) {
      if (dom !== domain || member === undefined || role === undefined) continue;
      push(this.parents, member, role);
    }
  }

  /** Roles reachable from `subject` through at most MAX_HIERARCHY links (the subject itself excluded). */
  rolesOf(subject: string): string[] {
    const seen = new Set<string>([subject]);
    let frontier = [subject];
    for (let depth = 0; depth < MAX_HIERARCHY && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const s of frontier)
        for (const role of this.parents.get(s) ?? [])
          if (!seen.has(role)) {
            seen.add(role);
            next.push(role);
          }
      frontier = next;
    }
    seen.delete(subject);
    return [...seen];
  }

  /** Patterns granted to any of `grantees` (a user's subject and roles), without duplicates. */
  permissionsOf(grantees: Iterable<string>): Permission[] {
    const out = new Map<string, Permission>();
    for (const g of grantees) for (const p of this.grants.get(g) ?? []) out.set(pairKey(p), p);
    return [...out.values()];
  }

  /** Every subject that holds a role directly (users and roles). */
  members(): IterableIterator<string> {
    return this.parents.keys();
  }

  /** Every distinct (resource, action) pair granted to anyone, patterns included. */
  pairs(): Permission[] {
    const out = new Map<string, Permission>();
    for (const list of this.grants.values()) for (const p of list) out.set(pairKey(p), p);
    return [...out.values()];
  }

  /** The grants as [grantee, permission] pairs (for engines that take them as facts). */
  *grantRows(): IterableIterator<[string, Permission]> {
    for (const [grantee, list] of this.grants) for (const p of list) yield [grantee, p];
  }
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A user's effective roles and grants under this index (what the memo keeps per user). */
export function userFacts(index: PolicyIndex, userId: string): UserFacts {
  const subject = subjectOf(userId);
  const roles = index.rolesOf(subject);
  return { subject, roles, roleSet: new Set(roles), permissions: index.permissionsOf([subject, ...roles]) };
}
