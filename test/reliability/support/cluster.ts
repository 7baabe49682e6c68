import type { Db } from 'mongodb';
import { freshDbName, startGatehouse, type TestInstance } from '../../helpers/gatehouse.js';

/** Several Gatehouse instances on one database: stateless peers that coordinate only through it. */
export interface Cluster {
  instances: TestInstance[];
  dbName: string;
  /** The shared database, through the first instance's client (for reconciliation queries). */
  db: Db;
  /** The GraphQL URL of instance `i` (wraps around, so callers can spread work with a counter). */
  url(i: number): string;
  origin(i: number): string;
  close(): Promise<void>;
}

export interface ClusterOptions {
  size?: number;
  manifest: unknown;
  /** E.g. `{ MONGODB_URI }` of a database the test owns (to kill or pause it). */
  env?: Record<string, string>;
  dbName?: string;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const dbName = opts.dbName ?? freshDbName();
  const instances: TestInstance[] = [];
  try {
    // One after another: the first seeds the app, the others find the seed in place (idempotent).
    for (let i = 0; i < (opts.size ?? 3); i++) {
      instances.push(await startGatehouse({ manifest: opts.manifest, dbName, ...(opts.env ? { env: opts.env } : {}) }));
    }
  } catch (err) {
    await Promise.allSettled(instances.map((g) => g.close()));
    throw err;
  }
  const at = (i: number) => instances[i % instances.length]!;
  return {
    instances,
    dbName,
    db: instances[0]!.database.db,
    url: (i) => at(i).url,
    origin: (i) => at(i).origin,
    async close() {
      await Promise.allSettled(instances.map((g) => g.close()));
    },
  };
}
