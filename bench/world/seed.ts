import type { Db } from 'mongodb';
import { subjectOf } from '../../src/authz/rbac.js';
import { PolicyStore } from '../../src/authz/store.js';
import { POLICY_APPS, USERS } from './manifest.js';

/** Every user holds `reader`, which may read the benchmark schema's ten @permission fields. */
export const READER = 'reader';
export const ROLES = 50;
export const FIELD_RESOURCES = Array.from({ length: 10 }, (_, k) => `field${k + 1}`);

export const benchUserId = (u: number) => `bench-u${u}`;

/** Policy row i of an app: the ten reader rows first, then `role<i%50>` on `res<i>` (every 10th a pattern, every 3rd any action). */
function policyRow(slug: string, i: number): string[] {
  if (i < FIELD_RESOURCES.length) return [READER, slug, FIELD_RESOURCES[i]!, 'read'];
  return [`role${i % ROLES}`, slug, i % 10 === 0 ? `res${i}/*` : `res${i}`, i % 3 === 0 ? '*' : 'read'];
}

async function addAll(store: PolicyStore, ptype: string, rows: string[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) await store.add(ptype, rows.slice(i, i + 5000));
}

/** Writes the policy of every POLICY_APPS app straight to its store (before the services start and load it). */
export async function seedPolicies(
  db: Db,
  collectionOf: (slug: string) => string,
  only: (slug: string) => boolean = () => true,
): Promise<void> {
  for (const { slug, policies } of POLICY_APPS.filter((p) => only(p.slug))) {
    const store = PolicyStore.open(db, collectionOf(slug));
    await store.ensureIndexes();
    await addAll(
      store,
      'p',
      Array.from({ length: policies }, (_, i) => policyRow(slug, i)),
    );
    const grants: string[][] = [];
    for (let u = 0; u < USERS; u++) {
      const subject = subjectOf(benchUserId(u));
      grants.push([subject, READER, slug], [subject, `role${u % ROLES}`, slug]);
    }
    await addAll(store, 'g', grants);
  }
}
