import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { CoreDeps } from '../../core/index.js';
import { projectRoot } from '../../paths.js';
import { type Authorization, createEngine } from '../engine.js';
import type { PermissionHints } from '../known-permissions.js';
import type { Evaluator, UserFacts } from '../memo.js';
import { PolicyIndex, pairKey, subjectOf, userFacts } from '../rbac.js';
import type { TypedRule } from '../store.js';
import type { AuthzAppConfig, Permission } from '../types.js';
import { factsOf, loadOso, User } from './polar.js';

/** Oso queries between two yields: `isAllowed` resolves in microtasks, which alone would starve requests. */
const QUERIES_PER_YIELD = 25;

interface Policy {
  text: string;
  name: string;
}

interface OsoFacts extends UserFacts {
  /** The sorted effective roles: users with the same roles share their answers. */
  readonly signature: string;
}

const signatureOf = (roles: readonly string[]) => [...roles].sort().join('\u0000');

/** The .polar file of the manifest (relative to the working directory), else the shipped default. */
export async function readPolicy(policyFile: string | undefined): Promise<Policy> {
  const path = policyFile ? resolve(process.cwd(), policyFile) : join(projectRoot(), 'src', 'authz', 'default.polar');
  try {
    return { text: await readFile(path, 'utf8'), name: path };
  } catch {
    throw new Error(`cannot read the OSO policy file ${path}`);
  }
}

/**
 * Oso answers asynchronously, so a revision's answers are computed up front: for every distinct set
 * of effective roles among the app's users (plus the empty set), Oso is asked about every known
 * (resource, action) pair — those of the stored rules and the hinted ones. A check is then a
 * lookup; a pair nobody announced is denied. As in Casbin, rows may grant a user directly
 * (`p, user:<id>, …`): such a user's actor also holds its own subject among `roles`, so the
 * policy's `role in actor.roles` finds those rows; users without direct grants share answers.
 */
export async function osoEvaluator(
  policy: Policy,
  index: PolicyIndex,
  pairs: readonly Permission[],
): Promise<Evaluator<OsoFacts>> {
  const direct = new Set<string>();
  for (const [grantee] of index.grantRows()) if (grantee.startsWith('user:')) direct.add(grantee);
  const actorRoles = (subject: string, roles: readonly string[]) => (direct.has(subject) ? [subject, ...roles] : roles);
  const roleSets = new Map<string, readonly string[]>([['', []]]);
  for (const subject of new Set([...index.members(), ...direct])) {
    if (!subject.startsWith('user:')) continue;
    const roles = actorRoles(subject, index.rolesOf(subject));
    roleSets.set(signatureOf(roles), roles);
  }
  const allowed = new Map<string, Map<string, Permission>>();
  const oso = await loadOso(policy.text, policy.name, factsOf(index));
  try {
    let queries = 0;
    for (const [signature, roles] of roleSets) {
      const actor = new User(index.domain, roles);
      const granted = new Map<string, Permission>();
      for (const p of pairs) {
        if (await oso.isAllowed(actor, p.action, p.resource)) granted.set(pairKey(p), p);
        if (++queries % QUERIES_PER_YIELD === 0) await yieldToEventLoop();
      }
      allowed.set(signature, granted);
    }
  } finally {
    oso.free();
  }
  return {
    factsFor(userId) {
      const facts = userFacts(index, userId);
      return { ...facts, signature: signatureOf(actorRoles(subjectOf(userId), facts.roles)) };
    },
    decide: (facts, resource, action) => allowed.get(facts.signature)?.has(pairKey({ resource, action })) ?? false,
    permissions: (facts) => [...(allowed.get(facts.signature)?.values() ?? [])],
  };
}

function knownPairs(index: PolicyIndex, hints: PermissionHints): Permission[] {
  const pairs = new Map<string, Permission>();
  for (const p of [...index.pairs(), ...hints.list()]) pairs.set(pairKey(p), p);
  return [...pairs.values()];
}

function indexOf(rules: readonly TypedRule[], app: string): PolicyIndex {
  const of = (t: string) => rules.filter(([ptype]) => ptype === t).map(([, rule]) => rule);
  return new PolicyIndex(app, of('p'), of('g'));
}

export function createOsoProvider(
  deps: CoreDeps,
  app: AuthzAppConfig,
  pollMs: number,
  hints: PermissionHints,
): Authorization {
  let policy: Policy | undefined;
  let hintsSeen = -1;
  return createEngine({
    name: 'oso',
    deps,
    app,
    pollMs,
    async prepare() {
      const read = await readPolicy(app.policy.policyFile);
      (await loadOso(read.text, read.name, factsOf(new PolicyIndex(app.slug, [], [])))).free(); // fails start on a bad policy
      policy = read;
    },
    types: () => ({ policy: ['p'], grouping: ['g'] }),
    async build(rules) {
      if (!policy) throw new Error('oso provider used before its policy was read');
      const version = hints.version;
      const index = indexOf(rules, app.slug);
      const evaluator = await osoEvaluator(policy, index, knownPairs(index, hints));
      hintsSeen = version;
      return evaluator;
    },
    outdated: () => hints.version !== hintsSeen,
  });
}
