import { resolve } from 'node:path';
import { createAccountService, createMailer } from './account/index.js';
import { createAuditLog } from './audit/index.js';
import { type AuthorizationProvider, createAuthorization, PermissionHints } from './authz/index.js';
import { type Clock, systemClock } from './clock.js';
import type { EnvSettings, ResolvedManifest } from './config/index.js';
import type { CoreDeps } from './core/index.js';
import type { Database } from './db/index.js';
import { createFlows } from './flows/index.js';
import { createGateway, type Gateway } from './gateway/index.js';
import { gatehouseSchema } from './graphql/index.js';
import { createGatehouseYoga, type GatehouseYoga, type Listening, listenHttp, type YogaOptions } from './http/index.js';
import { createIdentityService } from './identity/index.js';
import { createLogger, createMetrics, type Logger, type Metrics } from './observability/index.js';
import { createRateLimiter } from './ratelimit/index.js';
import { domainSettings, type Services } from './services.js';
import { createRevocationFeed, createSessionService } from './sessions/index.js';
import { createTokenService } from './tokens/index.js';
import { permissionPairs } from './vocabulary/index.js';

export interface ServicesOptions {
  env: EnvSettings;
  manifest: ResolvedManifest;
  secret: string;
  database: Database;
  logger?: Logger;
  clock?: Clock;
  metrics?: Metrics;
}

export interface RunningServices {
  services: Services;
  /** Stops background work (pollers, queues) in reverse order; leaves the database client open. */
  stop(): Promise<void>;
}

interface Component {
  start(): Promise<void>;
  stop?(): void | Promise<void>;
}

/** Builds every domain service, starts them in dependency order and seeds each app (idempotent). */
export async function startServices(opts: ServicesOptions): Promise<RunningServices> {
  const logger = opts.logger ?? createLogger({ level: opts.env.logLevel });
  const deps: CoreDeps = {
    database: opts.database,
    clock: opts.clock ?? systemClock,
    logger,
    metrics: opts.metrics ?? createMetrics(),
  };
  const settings = domainSettings(opts.manifest, opts.secret);
  const bySlug = new Map(opts.manifest.apps.map((a) => [a.slug, a]));
  // Providers that precompute answers (OSO) must know which permissions the schema asks about.
  const permissionHints = new PermissionHints();
  permissionHints.add(...permissionPairs(gatehouseSchema()));
  const authz = new Map<string, AuthorizationProvider>(
    opts.manifest.apps.map((a) => [
      a.slug,
      createAuthorization(deps, a, { pollMs: settings.authzPollMs, hints: permissionHints }),
    ]),
  );
  const revocations = createRevocationFeed(deps, settings.revocations);
  const identity = createIdentityService(deps);
  const mailer = createMailer({ outboxDir: resolve(opts.env.outboxDir), logger });
  const domains: Omit<Services, 'flows'> = {
    env: opts.env,
    manifest: opts.manifest,
    secret: opts.secret,
    database: opts.database,
    logger,
    clock: deps.clock,
    metrics: deps.metrics,
    app: (slug) => bySlug.get(slug),
    tokens: createTokenService(deps, settings.tokens),
    identity,
    account: createAccountService({ ...deps, identity, mailer, keys: settings.accountKeys }),
    revocations,
    sessions: createSessionService(deps, settings.sessions, revocations),
    authz: (slug) => {
      const provider = authz.get(slug);
      if (!provider) throw new Error(`no authorization provider for app "${slug}"`);
      return provider;
    },
    permissionHints,
    rateLimiter: createRateLimiter(deps),
    audit: createAuditLog(deps, settings.audit),
  };
  const services: Services = { ...domains, flows: createFlows(domains) };
  const components: Component[] = [
    services.tokens,
    services.identity,
    services.account,
    { start: async () => {}, stop: () => mailer.close() },
    revocations,
    services.sessions,
    ...authz.values(),
    services.rateLimiter,
    services.audit,
    // Stopped first: what logins left to do after their responses still finds the database.
    { start: async () => {}, stop: () => services.flows.afterResponse() },
  ];
  const started: Component[] = [];
  const stop = async () => {
    for (const c of started.splice(0).reverse()) await c.stop?.();
  };
  try {
    for (const c of components) {
      await c.start();
      started.push(c);
    }
    for (const app of opts.manifest.apps) await services.flows.seedApp(app);
  } catch (err) {
    await stop();
    throw err;
  }
  return { services, stop };
}

export interface GatehouseOptions extends ServicesOptions, YogaOptions {
  /** On close, how long to keep answering requests already on their way (default 1000 ms). */
  drainMs?: number;
}

/** One Gatehouse instance: its services, its Yoga handler, and the background work it owns. */
export interface Gatehouse {
  services: Services;
  yoga: GatehouseYoga;
  /** Gateway mode: the manifest's downstream services merged in; `reload()` re-reads their SDL (SIGHUP). */
  gateway: Gateway;
  listen(port?: number, host?: string): Promise<Listening>;
  /** Drains HTTP (in-flight requests finish), then stops background work; leaves the database client open. */
  close(): Promise<void>;
}

export async function createGatehouse(opts: GatehouseOptions): Promise<Gatehouse> {
  const running = await startServices(opts);
  let gateway: Gateway;
  try {
    gateway = await createGateway(running.services, gatehouseSchema());
  } catch (err) {
    await running.stop();
    throw err;
  }
  running.services.permissionHints.add(...permissionPairs(gateway.schema()));
  const yoga = createGatehouseYoga(running.services, { ...opts, schema: opts.schema ?? (() => gateway.schema()) });
  const listening: Listening[] = [];
  return {
    services: running.services,
    yoga,
    gateway,
    async listen(port = opts.env.port, host = opts.env.host) {
      const l = await listenHttp(yoga, port, host, opts.drainMs);
      listening.push(l);
      return l;
    },
    async close() {
      await Promise.all(listening.splice(0).map((l) => l.close()));
      await running.stop();
    },
  };
}
