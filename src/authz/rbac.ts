import type { UserFacts } from './memo.js';
import type { Permission } from './types.js';

/** Casbin's default role manager follows at most this many role-to-role links. */
export const MAX_HIERARCHY = 10;

/** The subject a user is known by in the stored rows. */
export const subjectOf = (userId: string) => `user:${userId}`;

/**
 * Casbin's `keyMatch(key, pattern)`, byte for byte: a `*` in the pattern matches any suffix
 * (only the first `*` counts); without one, the strings must be equal. With a `*` this is
 * exactly `key.startsWith(<pattern up to the first *>)`, which the index uses.
 */
export function keyMatch(key: string, pattern: string): boolean {
  const star = pattern.indexOf('*');
  if (star === -1) return key === pattern;
  if (key.length > star) return key.slice(0, star) === pattern.slice(0, star);
  return key === pattern.slice(0, star);
}

/** One rule as Casbin holds it: `p` → [sub, dom, obj, act], `g` → [member, role, dom]. */
export type Rule = readonly string[];

/** A map key for one (resource, action) pair. */
export const pairKey = (p: Permission) => `${p.resource}\u0000${p.action}`;

/** What one grantee (role or user subject) is granted: exact resources by name, patterns by prefix. */
interface Grants {
  exact: Map<string, Set<string>>;
  patterns: { prefix: string; resource: string; action: string }[];
}

const allowsAction = (actions: ReadonlySet<string> | undefined, action: string) =>
  actions !== undefined && (actions.has(action) || actions.has('*'));

/**
 * One app's rows, indexed for the per-user memo: who holds which role directly and what each
 * grantee is granted. Built once per policy revision. A user's roles cost a walk over their own
 * links; a check costs one map lookup per role plus a scan of that role's wildcard patterns —
 * never a scan of the whole policy, which is what Casbin's enforce does.
 */
export class PolicyIndex {
  private readonly parents = new Map<string, string[]>();
  private readonly grants = new Map<string, Grants>();

  constructor(
    readonly domain: string,
    policies: Iterable<Rule>,
    groupings: Iterable<Rule>,
  ) {
    for (const [sub, dom, resource, action] of policies) {
      if (dom !== domain || sub === undefined || resource === undefined || action === undefined) continue;
      let g = this.grants.get(sub);
      if (!g) {
        g = { exact: new Map(), patterns: [] };
        this.grants.set(sub, g);
      }
      const star = resource.indexOf('*');
      if (star !== -1) g.patterns.push({ prefix: resource.slice(0, star), resource, action });
      else {
        const actions = g.exact.get(resource);
        if (actions) actions.add(action);
        else g.exact.set(resource, new Set([action]));
      }
    }
    for (const [member, role, dom] of groupings) {
      if (dom !== domain || member === undefined || role === undefined) continue;
      const roles = this.parents.get(member);
      if (roles) roles.push(role);
      else this.parents.set(member, [role]);
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

  /** The built-in model's matcher: some grantee has `keyMatch(resource, p.obj) && (p.act == action || p.act == "*")`. */
  allows(grantees: readonly string[], resource: string, action: string): boolean {
    for (const grantee of grantees) {
      const g = this.grants.get(grantee);
      if (!g) continue;
      if (allowsAction(g.exact.get(resource), action)) return true;
      for (const p of g.patterns)
        if ((p.action === action || p.action === '*') && resource.startsWith(p.prefix)) return true;
    }
    return false;
  }

  /** Patterns granted to any of `grantees`, without duplicates. */
  permissionsOf(grantees: readonly string[]): Permission[] {
    const out = new Map<string, Permission>();
    for (const grantee of grantees) for (const p of this.grantsOf(grantee)) out.set(pairKey(p), p);
    return [...out.values()];
  }

  /** Every subject that holds a role directly (users and roles). */
  members(): IterableIterator<string> {
    return this.parents.keys();
  }

  /** Every distinct (resource, action) pair granted to anyone, patterns included. */
  pairs(): Permission[] {
    const out = new Map<string, Permission>();
    for (const [, p] of this.grantRows()) out.set(pairKey(p), p);
    return [...out.values()];
  }

  /** The grants as [grantee, permission] pairs (for engines that take them as facts). */
  *grantRows(): IterableIterator<[string, Permission]> {
    for (const grantee of this.grants.keys()) for (const p of this.grantsOf(grantee)) yield [grantee, p];
  }

  private *grantsOf(grantee: string): IterableIterator<Permission> {
    const g = this.grants.get(grantee);
    if (!g) return;
    for (const [resource, actions] of g.exact) for (const action of actions) yield { resource, action };
    for (const { resource, action } of g.patterns) yield { resource, action };
  }
}

/** A user's subject and effective roles under this index (what the memo keeps per user). */
export function userFacts(index: PolicyIndex, userId: string): UserFacts {
  const subject = subjectOf(userId);
  const roles = index.rolesOf(subject);
  return { subject, roles, roleSet: new Set(roles), grantees: [subject, ...roles] };
}
