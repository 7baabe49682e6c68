import { randomBytes } from 'node:crypto';
import type { MongoClientOptions } from 'mongodb';
import { type ResolvedManifest, readEnv } from '../../src/config/index.js';
import { connectDatabase, type Database } from '../../src/db/index.js';
import { createGatehouse, type Gatehouse, startServices } from '../../src/gatehouse.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Services } from '../../src/services.js';

/** Where a world lives: children (memory, profile, `serve`) open the same database with the same secret. */
export interface WorldAddress {
  uri: string;
  dbName: string;
  /** GATEHOUSE_SECRET of the run: signing keys are sealed with it, so every process must share it. */
  secret: string;
}

export const newDbName = (tag: string) => `bench_${tag}_${process.pid}_${randomBytes(3).toString('hex')}`;
export const newSecret = () => randomBytes(32).toString('hex');

const env = (uri: string) => readEnv({ NODE_ENV: 'production', MONGODB_URI: uri, LOG_LEVEL: 'silent' });
const silent = () => createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });

export interface ServicesWorld {
  services: Services;
  database: Database;
  stop(): Promise<void>;
}

/** Gatehouse's services (no HTTP) over a world's database. */
export async function openServices(
  at: WorldAddress,
  manifest: ResolvedManifest,
  client: MongoClientOptions = {},
): Promise<ServicesWorld> {
  const database = await connectDatabase(at.uri, at.dbName, client);
  const running = await startServices({ env: env(at.uri), manifest, secret: at.secret, database, logger: silent() });
  return {
    services: running.services,
    database,
    async stop() {
      await running.stop();
      await database.close();
    },
  };
}

export interface GatehouseWorld {
  gatehouse: Gatehouse;
  database: Database;
  stop(): Promise<void>;
}

/** A whole Gatehouse instance (its own schema and Yoga) over a world's database. */
export async function openGatehouse(
  at: WorldAddress,
  manifest: ResolvedManifest,
  client: MongoClientOptions = {},
): Promise<GatehouseWorld> {
  const database = await connectDatabase(at.uri, at.dbName, client);
  const gatehouse = await createGatehouse({
    env: env(at.uri),
    manifest,
    secret: at.secret,
    database,
    logger: silent(),
  });
  return {
    gatehouse,
    database,
    async stop() {
      await gatehouse.close();
      await database.close();
    },
  };
}
