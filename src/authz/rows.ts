import { createHash } from 'node:crypto';
import type { Filter, ObjectId } from 'mongodb';
import type { Rule } from './rbac.js';

/** The value fields of a stored rule, as casbin-mongodb-adapter lays them out. */
export const VALUE_FIELDS = ['v0', 'v1', 'v2', 'v3', 'v4', 'v5'] as const;
type ValueField = (typeof VALUE_FIELDS)[number];

/**
 * One stored rule: `{ptype, v0…v5}`, flat (FerretDB has no nested arrays). Rows written by this
 * module carry a deterministic `_id` derived from the rule, so a second insert of the same rule is a
 * duplicate-key error rather than a second row: writes are idempotent even between instances.
 * Rows written by other tools (ObjectId `_id`s) are read and deleted all the same.
 */
export interface PolicyDocument {
  _id?: string | ObjectId;
  ptype: string;
  v0?: string;
  v1?: string;
  v2?: string;
  v3?: string;
  v4?: string;
  v5?: string;
}

/** Where each section keeps the domain (the app slug): `p, sub, dom, obj, act` and `g, member, role, dom`. */
const DOMAIN_FIELD = { p: 'v1', g: 'v2' } as const satisfies Record<string, ValueField>;

/** Casbin pads rules with empty strings; the stored form drops trailing empties. */
function trimmed(rule: Rule): string[] {
  let end = rule.length;
  while (end > 0 && rule[end - 1] === '') end--;
  if (end > VALUE_FIELDS.length) throw new RangeError(`a rule has at most ${VALUE_FIELDS.length} values`);
  return rule.slice(0, end);
}

function rowId(ptype: string, rule: Rule): string {
  return createHash('sha256')
    .update(JSON.stringify([ptype, ...trimmed(rule)]))
    .digest('base64url');
}

export function toDocument(ptype: string, rule: Rule): PolicyDocument & { _id: string } {
  const doc: PolicyDocument & { _id: string } = { _id: rowId(ptype, rule), ptype };
  trimmed(rule).forEach((v, i) => {
    doc[VALUE_FIELDS[i]!] = v;
  });
  return doc;
}

export function ruleOf(doc: PolicyDocument): string[] {
  const rule: string[] = [];
  for (const f of VALUE_FIELDS) {
    const v = doc[f];
    if (v === undefined || v === null) break;
    rule.push(String(v));
  }
  return trimmed(rule);
}

/** Matches the rows holding exactly this rule (whatever their `_id`). */
export function ruleFilter(ptype: string, rule: Rule): Filter<PolicyDocument> {
  const filter: Filter<PolicyDocument> = { ptype };
  trimmed(rule).forEach((v, i) => {
    filter[VALUE_FIELDS[i]!] = v;
  });
  return filter;
}

/** Matches rows of `ptype` whose values from `fieldIndex` on equal `values` (empty values match anything). */
export function fieldFilter(ptype: string, fieldIndex: number, values: readonly string[]): Filter<PolicyDocument> {
  const filter: Filter<PolicyDocument> = { ptype };
  values.forEach((v, i) => {
    const field = VALUE_FIELDS[fieldIndex + i];
    if (field === undefined) throw new RangeError('filter past the last value field');
    if (v !== '') filter[field] = v;
  });
  return filter;
}

/** The filter a FilteredAdapter accepts: one app's rows. */
export interface AppFilter {
  app: string;
}

export const isAppFilter = (f: unknown): f is AppFilter =>
  typeof f === 'object' && f !== null && typeof (f as AppFilter).app === 'string';

/** One app's rows of the given policy and grouping types (the domain sits in v1 for `p*`, v2 for `g*`). */
export function appQuery(app: string, policyTypes: readonly string[], groupingTypes: readonly string[]) {
  return {
    $or: [
      { ptype: { $in: [...policyTypes] }, [DOMAIN_FIELD.p]: app },
      { ptype: { $in: [...groupingTypes] }, [DOMAIN_FIELD.g]: app },
    ],
  } as Filter<PolicyDocument>;
}
