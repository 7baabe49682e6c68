import { type Enforcer, newEnforcer } from 'casbin';
import type { CoreDeps } from '../../core/index.js';
import { type Authorization, createEngine } from '../engine.js';
import type { Evaluator } from '../memo.js';
import { PolicyIndex, userFacts } from '../rbac.js';
import type { AppFilter } from '../rows.js';
import type { TypedRule } from '../store.js';
import type { AuthzAppConfig } from '../types.js';
import { SnapshotAdapter, sectionTypes } from './adapter.js';
import { type ModelSource, parseModel, readModel } from './model.js';

/**
 * A fresh enforcer holding one app's rules, for one revision (never `loadPolicy()` on a live one:
 * it clears the policy before reloading, so checks in between would see no policy at all).
 */
export async function loadEnforcer(source: ModelSource, rules: readonly TypedRule[], app: string): Promise<Enforcer> {
  const enforcer = await newEnforcer(parseModel(source));
  enforcer.setAdapter(new SnapshotAdapter(rules));
  await enforcer.loadFilteredPolicy({ app } satisfies AppFilter);
  return enforcer;
}

/** The built-in model's answers straight from the rules: its matcher is PolicyIndex.allows, no enforcer needed. */
export function builtinEvaluator(rules: readonly TypedRule[], app: string): Evaluator {
  const of = (t: string) => rules.filter(([ptype]) => ptype === t).map(([, rule]) => rule);
  return indexEvaluator(new PolicyIndex(app, of('p'), of('g')));
}

const indexEvaluator = (index: PolicyIndex): Evaluator => ({
  factsFor: (userId) => userFacts(index, userId),
  decide: (facts, resource, action) => index.allows(facts.grantees, resource, action),
  permissions: (facts) => index.permissionsOf(facts.grantees),
});

/**
 * Answers from a loaded enforcer. With the built-in model a check looks at the user's own roles'
 * grants in the index (the model's matcher, restated in `PolicyIndex.allows`: enforcing would scan
 * every rule); a custom model is asked through `enforceSync` on each memo miss.
 */
export function casbinEvaluator(enforcer: Enforcer, app: string, builtin: boolean): Evaluator {
  const rules = (ptype: string) => enforcer.getModel().model.get(ptype)?.get(ptype)?.policy ?? [];
  const index = new PolicyIndex(app, rules('p'), rules('g'));
  return {
    factsFor: (userId) => userFacts(index, userId),
    decide: builtin
      ? (facts, resource, action) => index.allows(facts.grantees, resource, action)
      : (facts, resource, action) => enforcer.enforceSync(facts.subject, app, resource, action),
    permissions: (facts) => index.permissionsOf(facts.grantees),
  };
}

export function createCasbinProvider(deps: CoreDeps, app: AuthzAppConfig, pollMs: number): Authorization {
  let source: ModelSource | undefined;
  let types: { policy: string[]; grouping: string[] } | undefined;
  return createEngine({
    name: 'casbin',
    deps,
    app,
    pollMs,
    async prepare() {
      source = await readModel(app.policy.model);
      types = sectionTypes(parseModel(source));
    },
    types() {
      if (!types) throw new Error('casbin provider used before its model was read');
      return types;
    },
    async build(rules) {
      if (!source) throw new Error('casbin provider used before its model was read');
      if (source.builtin) return builtinEvaluator(rules, app.slug);
      return casbinEvaluator(await loadEnforcer(source, rules, app.slug), app.slug, false);
    },
  });
}
