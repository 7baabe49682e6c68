import { LRUCache } from 'lru-cache';
import type { Permission } from '../authz/index.js';
import type { Needs } from '../enforcement/index.js';
import type { VerifiedToken } from '../tokens/index.js';
import { type Decision, type PermissionSource, UNAUTHENTICATED, UNAVAILABLE } from './source.js';

export interface RemotePermissions {
  /** Gatehouse's GraphQL endpoint, e.g. `https://auth.example.com/graphql`. */
  gatehouseUrl: string | URL;
  /** How long an answer is reused (default 5 s): the bound on how late a policy change or revocation is seen. */
  cacheTtlMs?: number;
  /** Per request to Gatehouse (default 3 s); past it, guarded fields fail closed. */
  timeoutMs?: number;
}

/** Gatehouse allows 15 aliases per operation; `me` is one of the fields. */
const CHECKS_PER_REQUEST = 10;

type Answer = boolean | readonly string[];
type Outcome = { ok: true; answers: Map<string, Answer> } | { ok: false; decision: Decision };

const permissionKey = (p: Permission) => `p\0${p.resource}\0${p.action}`;
const ROLES = 'roles';

/** One query: `me { roles }` (which also proves Gatehouse still accepts the token) and a `can` per permission. */
function decisionsQuery(perms: Permission[]): { query: string; variables: Record<string, string> } {
  const variables: Record<string, string> = {};
  const defs: string[] = [];
  const fields = ['me { roles }'];
  perms.forEach((p, i) => {
    defs.push(`$r${i}: String!, $a${i}: String!`);
    fields.push(`c${i}: can(resource: $r${i}, action: $a${i})`);
    variables[`r${i}`] = p.resource;
    variables[`a${i}`] = p.action;
  });
  return {
    query: `query GatehouseDecisions${defs.length ? `(${defs.join(', ')})` : ''} { ${fields.join(' ')} }`,
    variables,
  };
}

interface Body {
  data?: { me?: { roles?: string[] } | null; [alias: string]: unknown } | null;
  errors?: { extensions?: { code?: string } }[];
}

/**
 * Roles and permissions asked of Gatehouse itself, with the caller's own token, through
 * `me { roles }` and `can(resource:, action:)`: no database access needed, and Gatehouse's
 * revocation applies (a revoked token gets UNAUTHENTICATED there, so here too). Answers are cached
 * per session for `cacheTtlMs`; anything unexpected fails closed.
 */
export function remoteSource(opts: RemotePermissions): PermissionSource {
  const url = new URL(opts.gatehouseUrl);
  const timeoutMs = opts.timeoutMs ?? 3000;
  const cache = new LRUCache<string, Answer>({ max: 50_000, ttl: opts.cacheTtlMs ?? 5000 });

  async function ask(user: VerifiedToken, token: string, perms: Permission[]): Promise<Outcome> {
    let body: Body;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          'x-gatehouse-app': user.app,
        },
        body: JSON.stringify(decisionsQuery(perms)),
        signal: AbortSignal.timeout(timeoutMs),
      });
      body = (await res.json()) as Body;
    } catch {
      return { ok: false, decision: UNAVAILABLE };
    }
    if (body.errors?.length) {
      const refused = body.errors.every((e) => e.extensions?.code === 'UNAUTHENTICATED');
      return { ok: false, decision: refused ? UNAUTHENTICATED : UNAVAILABLE };
    }
    const roles = body.data?.me?.roles;
    if (!Array.isArray(roles)) return { ok: false, decision: UNAUTHENTICATED }; // the user is gone
    const answers = new Map<string, Answer>([[ROLES, Object.freeze([...roles])]]);
    for (const [i, p] of perms.entries()) answers.set(permissionKey(p), body.data?.[`c${i}`] === true);
    return { ok: true, answers };
  }

  return {
    ready: () => Promise.resolve(),
    async decide(user, token, needs: Needs): Promise<Decision> {
      // Per session, not per user: a revoked session must not ride on another session's answers.
      const prefix = `${user.app}\0${user.sessionId}\0`;
      const known = new Map<string, Answer>();
      const missing: Permission[] = [];
      const roles = cache.get(prefix + ROLES);
      if (roles !== undefined) known.set(ROLES, roles);
      for (const p of needs.permissions) {
        const a = cache.get(prefix + permissionKey(p));
        if (a === undefined) missing.push(p);
        else known.set(permissionKey(p), a);
      }
      if (missing.length || roles === undefined) {
        const chunks: Permission[][] = [];
        for (let i = 0; i < missing.length; i += CHECKS_PER_REQUEST)
          chunks.push(missing.slice(i, i + CHECKS_PER_REQUEST));
        const outcomes = await Promise.all((chunks.length ? chunks : [[]]).map((c) => ask(user, token, c)));
        for (const o of outcomes) if (!o.ok) return o.decision;
        for (const o of outcomes) {
          if (!o.ok) continue;
          for (const [k, v] of o.answers) {
            known.set(k, v);
            cache.set(prefix + k, v);
          }
        }
      }
      const held = new Set(known.get(ROLES) as readonly string[]);
      return {
        kind: 'checks',
        checks: {
          can: (resource, action) => known.get(permissionKey({ resource, action })) === true,
          hasRole: (role) => held.has(role),
        },
      };
    },
    close: async () => {
      cache.clear();
    },
  };
}
