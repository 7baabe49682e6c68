// Hand-written, not casbin-mongodb-adapter: that one needs mongodb 4, opens its own client and drops the collection in savePolicy (unsafe without transactions).
import type { Adapter, BatchAdapter, FilteredAdapter, Model, UpdatableAdapter } from 'casbin';
import { appQuery, fieldFilter, isAppFilter } from '../rows.js';
import type { PolicyStore, TypedRule } from '../store.js';

/** The policy (`p*`) and grouping (`g*`) types a model defines. */
export function sectionTypes(model: Model): { policy: string[]; grouping: string[] } {
  return {
    policy: [...(model.model.get('p')?.keys() ?? [])],
    grouping: [...(model.model.get('g')?.keys() ?? [])],
  };
}

/**
 * A Casbin adapter over Gatehouse's policy collection, on the official driver (casbin-mongodb-adapter
 * needs mongodb 4, opens its own client and drops the collection in savePolicy). Filtered by app:
 * `loadFilteredPolicy(model, { app })` loads one tenant's rows.
 */
export class MongoAdapter implements FilteredAdapter, BatchAdapter, UpdatableAdapter {
  private filtered = false;

  constructor(private readonly store: PolicyStore) {}

  isFiltered(): boolean {
    return this.filtered;
  }

  async loadPolicy(model: Model): Promise<void> {
    this.filtered = false;
    fill(model, await this.store.load());
  }

  async loadFilteredPolicy(model: Model, filter: unknown): Promise<void> {
    if (!isAppFilter(filter)) throw new TypeError('MongoAdapter filters by { app: string }');
    const { policy, grouping } = sectionTypes(model);
    fill(model, await this.store.load(appQuery(filter.app, policy, grouping)));
    this.filtered = true;
  }

  async savePolicy(model: Model): Promise<boolean> {
    if (this.filtered) throw new Error('cannot save a filtered policy: it would delete the other apps');
    const rules: TypedRule[] = [];
    for (const sec of ['p', 'g'])
      for (const [ptype, ast] of model.model.get(sec) ?? []) for (const rule of ast.policy) rules.push([ptype, rule]);
    await this.store.replaceAll(rules);
    return true;
  }

  async addPolicy(_sec: string, ptype: string, rule: string[]): Promise<void> {
    await this.store.add(ptype, [rule]);
  }

  async addPolicies(_sec: string, ptype: string, rules: string[][]): Promise<void> {
    await this.store.add(ptype, rules);
  }

  async removePolicy(_sec: string, ptype: string, rule: string[]): Promise<void> {
    await this.store.remove(ptype, [rule]);
  }

  async removePolicies(_sec: string, ptype: string, rules: string[][]): Promise<void> {
    await this.store.remove(ptype, rules);
  }

  async removeFilteredPolicy(_sec: string, ptype: string, fieldIndex: number, ...fieldValues: string[]): Promise<void> {
    await this.store.removeWhere(fieldFilter(ptype, fieldIndex, fieldValues));
  }

  async updatePolicy(_sec: string, ptype: string, oldRule: string[], newRule: string[]): Promise<void> {
    await this.store.update(ptype, oldRule, newRule);
  }
}

/**
 * Rules already in memory (one app's, as the engine holds them) handed to an enforcer through
 * Casbin's own loading path, so its sorting and role links are built as for any load. Read-only.
 */
export class SnapshotAdapter implements FilteredAdapter {
  constructor(private readonly rules: readonly TypedRule[]) {}

  isFiltered(): boolean {
    return true;
  }

  async loadPolicy(model: Model): Promise<void> {
    fill(model, this.rules);
  }

  async loadFilteredPolicy(model: Model): Promise<void> {
    fill(model, this.rules);
  }

  private readOnly(): never {
    throw new Error('a policy snapshot is read-only: write through the authorization provider');
  }
  savePolicy: Adapter['savePolicy'] = async () => this.readOnly();
  addPolicy: Adapter['addPolicy'] = async () => this.readOnly();
  removePolicy: Adapter['removePolicy'] = async () => this.readOnly();
  removeFilteredPolicy: Adapter['removeFilteredPolicy'] = async () => this.readOnly();
}

/**
 * Appends loaded rows to the model the way Casbin's own line loader does (push, no per-row
 * duplicate scan: `Model.addPolicy` is linear per call, quadratic per load). Rows are unique by
 * construction, and types the model does not define are skipped.
 */
function fill(model: Model, rules: readonly TypedRule[]): void {
  for (const [ptype, rule] of rules) model.model.get(ptype.charAt(0))?.get(ptype)?.policy.push(rule);
}
