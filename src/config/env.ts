import { BUILTIN_DEFAULTS, type EnvDefaults } from './resolve.js';

/** Process-level settings from the environment (flags of the same name win, see the CLI). */
export interface EnvSettings {
  port: number;
  host: string;
  mongodbUri: string | undefined;
  mongodbDb: string;
  manifestPath: string;
  /** Where e-mail goes for apps without auth.email.smtp_url (development). */
  outboxDir: string;
  secret: string | undefined;
  nodeEnv: string;
  logLevel: string;
  /** Share of ordinary request-log lines written (REQUEST_LOG_SAMPLE, default 1: all; errors always). */
  requestLogSample?: number;
  production: boolean;
  defaults: EnvDefaults;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

function shareVar(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0 && n <= 1)) throw new ConfigError(`${name} must be a number in (0, 1], got "${raw}"`);
  return n;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvSettings {
  const nodeEnv = env.NODE_ENV ?? 'development';
  return {
    port: intVar(env, 'PORT', 4000, 0),
    host: env.HOST || '127.0.0.1',
    mongodbUri: env.MONGODB_URI || undefined,
    mongodbDb: env.MONGODB_DB || 'gatehouse',
    manifestPath: env.GATEHOUSE_MANIFEST || './manifest.json',
    outboxDir: env.GATEHOUSE_OUTBOX || './.gatehouse/outbox',
    secret: env.GATEHOUSE_SECRET || env.FLASK_SECRET_KEY || undefined,
    nodeEnv,
    logLevel: env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info'),
    requestLogSample: shareVar(env, 'REQUEST_LOG_SAMPLE', 1),
    production: nodeEnv === 'production',
    defaults: {
      accessTtl: intVar(env, 'ACCESS_TOKEN_TTL', BUILTIN_DEFAULTS.accessTtl),
      refreshTtl: intVar(env, 'REFRESH_TOKEN_TTL', BUILTIN_DEFAULTS.refreshTtl),
      maxSessionsPerUser: intVar(env, 'MAX_SESSIONS_PER_USER', BUILTIN_DEFAULTS.maxSessionsPerUser),
      inactivityTimeout: intVar(env, 'SESSION_INACTIVITY_TIMEOUT', BUILTIN_DEFAULTS.inactivityTimeout),
    },
  };
}
