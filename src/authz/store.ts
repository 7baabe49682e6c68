import { type Collection, type Db, type Filter, MongoBulkWriteError, MongoServerError } from 'mongodb';
import type { Rule } from './rbac.js';
import { type PolicyDocument, ruleFilter, ruleOf, toDocument } from './rows.js';

const DUPLICATE_KEY = 11000;
const ID_LOOKUPS_AT_ONCE = 20;
const isDuplicate = (err: unknown) => err instanceof MongoServerError && err.code === DUPLICATE_KEY;

/** A rule with its type, as loaded: `['p', ['admin', 'app', 'docs', 'read']]`. */
export type TypedRule = readonly [ptype: string, rule: string[]];

/**
 * The policy rows of every app in one collection. Every write is a single-document or unordered
 * bulk operation (no transactions on FerretDB); counts say how many rows actually changed, so
 * callers bump the revision only when something did.
 */
export class PolicyStore {
  constructor(readonly collection: Collection<PolicyDocument>) {}

  static open(db: Db, name: string): PolicyStore {
    return new PolicyStore(db.collection<PolicyDocument>(name));
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ ptype: 1, v0: 1, v1: 1, v2: 1, v3: 1 }, { name: 'ptype_v0_v1_v2_v3' });
  }

  async load(filter: Filter<PolicyDocument> = {}): Promise<TypedRule[]> {
    const docs = await this.collection.find(filter, { projection: { _id: 0 } }).toArray();
    return docs.map((d) => [d.ptype, ruleOf(d)] as const);
  }

  /**
   * Which of these row ids are stored. One `_id` equality per id (in parallel): the only lookup
   * FerretDB serves without scanning the collection, which on its SQLite backend costs ~1 s at 20k rows.
   */
  async presentIds(ids: readonly string[]): Promise<Set<string>> {
    const present = new Set<string>();
    for (let i = 0; i < ids.length; i += ID_LOOKUPS_AT_ONCE) {
      const found = await Promise.all(
        ids
          .slice(i, i + ID_LOOKUPS_AT_ONCE)
          .map((id) => this.collection.findOne({ _id: id }, { projection: { _id: 1 }, timeoutMS: 2000 })),
      );
      for (const doc of found) if (doc) present.add(String(doc._id));
    }
    return present;
  }

  /** Inserts the rules that are not stored yet; returns how many were new. */
  async add(ptype: string, rules: readonly Rule[]): Promise<number> {
    if (rules.length === 0) return 0;
    const docs = rules.map((r) => toDocument(ptype, r));
    try {
      if (docs.length === 1) return (await this.collection.insertOne(docs[0]!)).acknowledged ? 1 : 0;
      return (await this.collection.insertMany(docs, { ordered: false })).insertedCount;
    } catch (err) {
      if (isDuplicate(err)) return 0;
      if (err instanceof MongoBulkWriteError) {
        const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
        if (errors.every((e) => e.code === DUPLICATE_KEY)) return err.insertedCount;
      }
      throw err;
    }
  }

  /** Deletes the rows holding these rules; returns how many went. */
  async remove(ptype: string, rules: readonly Rule[]): Promise<number> {
    if (rules.length === 0) return 0;
    const filter = rules.length === 1 ? ruleFilter(ptype, rules[0]!) : { $or: rules.map((r) => ruleFilter(ptype, r)) };
    return (await this.collection.deleteMany(filter)).deletedCount;
  }

  async removeWhere(filter: Filter<PolicyDocument>): Promise<number> {
    return (await this.collection.deleteMany(filter)).deletedCount;
  }

  /** Replaces one rule by another: the new row first, so a crash in between leaves both, never neither. */
  async update(ptype: string, oldRule: Rule, newRule: Rule): Promise<void> {
    await this.add(ptype, [newRule]);
    if (toDocument(ptype, oldRule)._id !== toDocument(ptype, newRule)._id) await this.remove(ptype, [oldRule]);
  }

  /** Makes the collection hold exactly `rules`: inserts what is new, then deletes every other row. */
  async replaceAll(rules: readonly TypedRule[]): Promise<void> {
    const byType = new Map<string, string[][]>();
    for (const [ptype, rule] of rules) {
      const list = byType.get(ptype);
      if (list) list.push(rule);
      else byType.set(ptype, [rule]);
    }
    for (const [ptype, list] of byType) await this.add(ptype, list);
    const keep = rules.map(([ptype, rule]) => toDocument(ptype, rule)._id);
    await this.collection.deleteMany({ _id: { $nin: keep } });
  }
}
