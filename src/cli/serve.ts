import { join, resolve } from 'node:path';
import { loadManifest, loadSecret, readEnv } from '../config/index.js';
import { connectDatabase, launchDatabase } from '../db/index.js';
import { createGatehouse } from '../gatehouse.js';
import { argon2SelfTest } from '../identity/self-test.js';
import { createLogger } from '../observability/logger.js';

export interface ServeFlags {
  port?: number;
  host?: string;
  manifest?: string;
}

/** `gatehouse serve`: the whole gateway, with an embedded database when MONGODB_URI is not set. */
export async function serve(flags: ServeFlags): Promise<void> {
  const env = readEnv();
  if (flags.port !== undefined) env.port = flags.port;
  if (flags.host) env.host = flags.host;
  if (flags.manifest) env.manifestPath = flags.manifest;
  const logger = createLogger({ level: env.logLevel });
  const stateDir = resolve('.gatehouse');

  const manifest = await loadManifest(env.manifestPath, env.defaults);
  const secret = await loadSecret({ secret: env.secret, production: env.production, stateDir });
  await argon2SelfTest();
  const local = await launchDatabase({ dataDir: join(stateDir, 'db'), log: (msg) => logger.info(msg) });
  const database = await connectDatabase(local.uri, env.mongodbDb);
  const gatehouse = await createGatehouse({ env, manifest, secret, database, logger });
  const listening = await gatehouse.listen(env.port, env.host);
  process.stdout.write(`listening on ${listening.url}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await gatehouse.close();
    await database.close().catch(() => {});
    await local.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
