import { connectDatabase } from '../../src/db/index.js';
import { bigManifest, resolved } from './manifest.js';
import { seedPolicies } from './seed.js';
import { newDbName, newSecret, type WorldAddress } from './world.js';

/**
 * A fresh database holding the big world's policies (services start on it later and load them);
 * `only` seeds some apps (the memory scenario needs the main app alone).
 */
export async function prepareBigWorld(uri: string, only?: readonly string[]): Promise<WorldAddress> {
  const at: WorldAddress = { uri, dbName: newDbName(only ? 'part' : 'big'), secret: newSecret() };
  const database = await connectDatabase(uri, at.dbName);
  try {
    const apps = new Map(resolved(bigManifest()).apps.map((a) => [a.slug, a.policy.policiesCollection]));
    await seedPolicies(
      database.db,
      (slug) => apps.get(slug)!,
      (slug) => !only || only.includes(slug),
    );
  } finally {
    await database.close();
  }
  return at;
}

/** Drops a world's database (an external server keeps no benchmark leftovers). */
export async function dropWorld(at: WorldAddress): Promise<void> {
  const database = await connectDatabase(at.uri, at.dbName);
  try {
    await database.db.dropDatabase();
  } finally {
    await database.close();
  }
}
