import type { Db } from 'mongodb';

function strings(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object' && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) strings(v, strings(k, out));
  }
  return out;
}

/** Where any of `secrets` appears inside a string (key or value) of any document of any collection. */
export async function findSecrets(db: Db, secrets: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const { name } of await db.listCollections().toArray()) {
    for await (const doc of db.collection(name).find()) {
      const all = strings(doc, []);
      for (const s of secrets) if (all.some((v) => v.includes(s))) hits.push(`${name}/${String(doc._id)}`);
    }
  }
  return hits;
}

/** How many documents the scan looked at (so a "nothing found" is not a scan of nothing). */
export async function countDocuments(db: Db): Promise<number> {
  let n = 0;
  for (const { name } of await db.listCollections().toArray()) n += await db.collection(name).countDocuments();
  return n;
}
