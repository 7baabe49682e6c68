import { type Enforcer, newEnforcer } from 'casbin';
import type { CoreDeps } from '../../services.js';
import { type Authorization, createEngine } from '../engine.js';
import type { Evaluator } from '../memo.js';
import { PolicyIndex, userFacts } from '../rbac.js';
import type { AppFilter } from '../rows.js';
import type { PolicyStore } from '../store.js';
import type { AuthzAppConfig } from '../types.js';
import { MongoAdapter } from './adapter.js';
import { type ModelSource, parseModel, readModel } from './model.js';

/**
 * A fresh enforcer holding one app's rows, for one revision (never `loadPolicy()` on a live one:
 * it clears the policy before reloading, so checks in between would see no policy at all).
 */
export async function loadEnforcer(source: ModelSource, store: PolicyStore, app: string): Promise<Enforcer> {
  const enforcer = await newEnforcer(parseModel(source));
  enforcer.setAdapter(new MongoAdapter(store));
  await enforcer.loadFilteredPolicy({ app } satisfies AppFilter);
  return enforcer;
}

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
  return createEngine({
    name: 'casbin',
    deps,
    app,
    pollMs,
    async prepare() {
      source = await readModel(app.policy.model);
    },
    async load(store) {
      if (!source) throw new Error('casbin provider used before its model was read');
      return casbinEvaluator(await loadEnforcer(source, store, app.slug), app.slug, source.builtin);
    },
  });
}
