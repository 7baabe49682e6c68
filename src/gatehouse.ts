import { type Clock, systemClock } from './clock.js';
import type { EnvSettings, ResolvedManifest } from './config/index.js';
import type { Database } from './db/index.js';
import { type Listening, listenHttp } from './http/listen.js';
import { createGatehouseYoga, type GatehouseYoga, type YogaOptions } from './http/yoga.js';
import { createLogger, type Logger } from './observability/logger.js';
import type { Services } from './services.js';

export interface GatehouseOptions extends YogaOptions {
  env: EnvSettings;
  manifest: ResolvedManifest;
  secret: string;
  database: Database;
  logger?: Logger;
  clock?: Clock;
}

/** One Gatehouse instance: its services, its Yoga handler, and the background work it owns. */
export interface Gatehouse {
  services: Services;
  yoga: GatehouseYoga;
  listen(port?: number, host?: string): Promise<Listening>;
  /** Stops HTTP (draining in-flight requests) and background work; leaves the database client open. */
  close(): Promise<void>;
}

export async function createGatehouse(opts: GatehouseOptions): Promise<Gatehouse> {
  const logger = opts.logger ?? createLogger({ level: opts.env.logLevel });
  const bySlug = new Map(opts.manifest.apps.map((a) => [a.slug, a]));
  const services: Services = {
    env: opts.env,
    manifest: opts.manifest,
    secret: opts.secret,
    database: opts.database,
    logger,
    clock: opts.clock ?? systemClock,
    app: (slug) => bySlug.get(slug),
  };
  const yoga = createGatehouseYoga(services, opts);
  const listening: Listening[] = [];
  return {
    services,
    yoga,
    async listen(port = opts.env.port, host = opts.env.host) {
      const l = await listenHttp(yoga, port, host);
      listening.push(l);
      return l;
    },
    async close() {
      await Promise.all(listening.splice(0).map((l) => l.close()));
    },
  };
}
