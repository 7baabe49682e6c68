import cluster, { type Worker } from 'node:cluster';
import { rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  type EnvSettings,
  loadManifest,
  loadSecret,
  manifestWarnings,
  readEnv,
  readManifestFile,
  resolveManifest,
} from '../config/index.js';
import { connectDatabase } from '../db/index.js';
import { type LocalDatabase, launchDatabase } from '../embedded-db/index.js';
import { createGatehouse } from '../gatehouse.js';
import { argon2SelfTest } from '../identity/index.js';
import { createLogger, type Logger, type OtelSdk, startOtelSdk } from '../observability/index.js';
import { permissionPairs } from '../vocabulary/index.js';
import { deprioritizeThreadPool, poolNice } from './pool-priority.js';
import { embeddedUriFile, stateDir as stateDirOf } from './services.js';

export interface ServeFlags {
  port?: number;
  host?: string;
  manifest?: string;
  /** Processes serving one port (node:cluster); 'auto' = one per core. */
  workers?: number | 'auto';
}

type WorkerMessage = { type: 'listening'; url: string } | { type: 'failed'; message: string };

function settings(flags: ServeFlags): EnvSettings {
  const env = readEnv();
  if (flags.port !== undefined) env.port = flags.port;
  if (flags.host) env.host = flags.host;
  if (flags.manifest) env.manifestPath = flags.manifest;
  return env;
}

/** `gatehouse serve`: the whole gateway, with an embedded database when MONGODB_URI is not set. */
export async function serve(flags: ServeFlags): Promise<void> {
  if (cluster.isWorker) {
    await runWorker(settings(flags));
    return;
  }
  const env = settings(flags);
  const logger = createLogger({ level: env.logLevel });
  const stateDir = stateDirOf();
  // Fail fast on configuration before starting anything.
  const raw = await readManifestFile(env.manifestPath);
  resolveManifest(raw, env.defaults);
  for (const warning of manifestWarnings(raw)) logger.warn({ warning }, 'manifest');
  const secret = await loadSecret({ secret: env.secret, production: env.production, stateDir });
  await argon2SelfTest();
  const local = await launchDatabase({ dataDir: join(stateDir, 'db'), log: (msg) => logger.info(msg) });
  if (local.kind !== 'external') await writeFile(embeddedUriFile(), `${local.uri}\n`);
  const workers = flags.workers === 'auto' ? availableParallelism() : (flags.workers ?? 1);
  const childEnv = { MONGODB_URI: local.uri, GATEHOUSE_SECRET: secret };
  if (workers <= 1) {
    Object.assign(process.env, childEnv);
    const stopWorker = await runWorker(settings(flags)).catch(async (err) => {
      await shutdownDatabase(local); // never leave the database child behind
      throw err;
    });
    onSignals(logger, async () => {
      await stopWorker?.();
      await shutdownDatabase(local);
    });
    return;
  }
  await runPrimary(workers, { ...process.env, ...childEnv }, logger, local);
}

async function shutdownDatabase(local: LocalDatabase): Promise<void> {
  if (local.kind !== 'external') await rm(embeddedUriFile(), { force: true });
  await local.stop();
}

function onSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) process.exit(1); // a second signal: stop now
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Shutdown must end even if a drain or the database hangs.
    setTimeout(() => process.exit(1), 20_000).unref();
    void stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** One serving process. In a cluster it reports to the primary; alone it prints the listening line. */
async function runWorker(env: EnvSettings): Promise<(() => Promise<void>) | undefined> {
  const logger = createLogger({ level: env.logLevel });
  let otel: OtelSdk | undefined;
  try {
    // Each serving process exports its own spans; nothing is loaded without the OTLP env.
    otel = await startOtelSdk(process.env, logger);
    if (otel) logger.info('OpenTelemetry tracing on (OTLP/HTTP export)');
    const manifest = await loadManifest(env.manifestPath, env.defaults);
    // argon2 bursts must not take the core from requests (pool-priority.ts)
    await deprioritizeThreadPool(poolNice());
    if (!env.mongodbUri || !env.secret) throw new Error('worker started without MONGODB_URI / GATEHOUSE_SECRET');
    const database = await connectDatabase(env.mongodbUri, env.mongodbDb);
    const gatehouse = await createGatehouse({ env, manifest, secret: env.secret, database, logger });
    const listening = await gatehouse.listen(env.port, env.host);
    // SIGHUP re-reads the downstream SDLs; requests in flight finish on the schema they started with.
    process.on('SIGHUP', () => {
      gatehouse.gateway
        .reload()
        .then(() => gatehouse.services.permissionHints.add(...permissionPairs(gatehouse.gateway.schema())))
        .catch((err: Error) => logger.error({ err: err.message }, 'downstream reload failed'));
    });
    const stop = async () => {
      await gatehouse.close();
      await database.close().catch(() => {});
      await otel?.shutdown().catch(() => {}); // last: flushes the spans of the final requests
    };
    if (cluster.isWorker) {
      process.send?.({ type: 'listening', url: listening.url } satisfies WorkerMessage);
      onSignals(logger, stop);
      return undefined;
    }
    process.stdout.write(`listening on ${listening.url}\n`);
    return stop;
  } catch (err) {
    await otel?.shutdown().catch(() => {});
    if (!cluster.isWorker) throw err;
    process.send?.({ type: 'failed', message: (err as Error).message } satisfies WorkerMessage);
    process.exit(1);
  }
}

/** Forks `n` workers on one port, prints the listening line once all are up, restarts crashed ones. */
async function runPrimary(n: number, env: NodeJS.ProcessEnv, logger: Logger, local: LocalDatabase): Promise<void> {
  let stopping = false;
  let announced = false;
  let ready = 0;
  const fork = (): Worker => {
    const w = cluster.fork(env);
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'failed') {
        process.stderr.write(`gatehouse: worker failed to start: ${m.message}\n`);
        stopping = true;
        void shutdownAll().finally(() => process.exit(1));
      } else if (m.type === 'listening' && ++ready === n && !announced) {
        announced = true;
        process.stdout.write(`listening on ${m.url}\n`);
        logger.info({ workers: n }, 'all workers listening');
      }
    });
    return w;
  };
  const shutdownAll = async () => {
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));
    await Promise.all(
      alive.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            w.kill('SIGTERM');
          }),
      ),
    );
    await shutdownDatabase(local);
  };
  cluster.on('exit', (w, code, signal) => {
    if (stopping) return;
    logger.warn({ pid: w.process.pid, code, signal }, 'worker died; starting a new one');
    fork();
  });
  for (let i = 0; i < n; i++) fork();
  process.on('SIGHUP', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
  });
  onSignals(logger, async () => {
    stopping = true;
    await shutdownAll();
  });
}
