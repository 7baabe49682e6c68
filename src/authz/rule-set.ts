import type { Filter } from 'mongodb';
import { type PolicyDocument, ruleOf, toDocument } from './rows.js';
import type { PolicyStore, TypedRule } from './store.js';

const keyOf = ([ptype, rule]: TypedRule) => JSON.stringify([ptype, ...rule]);

/**
 * One app's stored rules held in memory between revisions, so a change costs a look-up of the
 * rules it touched rather than a read of the whole policy. Evaluators are built from `values()`,
 * a snapshot: later refreshes never reach an evaluator already serving requests.
 */
export class RuleSet {
  private constructor(private readonly rules: Map<string, TypedRule>) {}

  static async load(store: PolicyStore, filter: Filter<PolicyDocument>): Promise<RuleSet> {
    const rules = new Map<string, TypedRule>();
    for (const r of await store.load(filter)) rules.set(keyOf(r), r);
    return new RuleSet(rules);
  }

  get size(): number {
    return this.rules.size;
  }

  values(): TypedRule[] {
    return [...this.rules.values()];
  }

  /**
   * Asks the store for the current state of `named` and mirrors it: present rules kept, gone ones
   * dropped. Looked up by the row id Gatehouse gives every rule it writes (journaled writes are
   * Gatehouse's); a row another tool added under another id comes unjournaled, and with it a full read.
   */
  async refresh(store: PolicyStore, named: readonly TypedRule[]): Promise<void> {
    const byId = new Map<string, TypedRule>();
    for (const [ptype, rule] of named) {
      const doc = toDocument(ptype, rule);
      byId.set(doc._id, [ptype, ruleOf(doc)]); // the stored (trimmed) form, as `store.load` returns it
    }
    const present = await store.presentIds([...byId.keys()]);
    for (const [id, rule] of byId) {
      if (present.has(id)) this.rules.set(keyOf(rule), rule);
      else this.rules.delete(keyOf(rule));
    }
  }
}
