import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from './env.js';

const MIN_LENGTH = 32;

/** Why a secret is too weak to sign and encrypt with, or undefined when it will do. */
export function secretWeakness(secret: string): string | undefined {
  if (secret.length < MIN_LENGTH) return `is shorter than ${MIN_LENGTH} characters`;
  if (new Set(secret).size < 8) return 'has fewer than 8 distinct characters';
  if (/^(changeme|secret|password|default)/i.test(secret)) return 'looks like a placeholder';
  return undefined;
}

/**
 * The server secret: from the environment when given (and then it must be strong);
 * in development only, generated once and kept under the state dir so restarts keep tokens valid.
 */
export async function loadSecret(opts: {
  secret: string | undefined;
  production: boolean;
  stateDir: string;
}): Promise<string> {
  if (opts.secret !== undefined) {
    const weak = secretWeakness(opts.secret);
    if (weak)
      throw new ConfigError(`GATEHOUSE_SECRET ${weak}; set a random value of at least ${MIN_LENGTH} characters`);
    return opts.secret;
  }
  if (opts.production) {
    throw new ConfigError(
      `GATEHOUSE_SECRET is required when NODE_ENV=production (at least ${MIN_LENGTH} random characters, e.g. \`openssl rand -base64 48\`)`,
    );
  }
  const file = join(opts.stateDir, 'secret');
  try {
    const kept = (await readFile(file, 'utf8')).trim();
    if (!secretWeakness(kept)) return kept;
  } catch {
    // first start: fall through and create it
  }
  const fresh = randomBytes(48).toString('base64url');
  await mkdir(opts.stateDir, { recursive: true });
  await writeFile(file, `${fresh}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return fresh;
}
