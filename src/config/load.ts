import { readFile } from 'node:fs/promises';
import { ConfigError } from './env.js';
import type { RawManifest } from './manifest-schema.js';
import { type EnvDefaults, type ResolvedManifest, resolveManifest } from './resolve.js';
import { validateManifest } from './validate.js';

export class ManifestError extends ConfigError {
  override name = 'ManifestError';
  constructor(
    readonly file: string,
    readonly errors: string[],
  ) {
    super(`invalid manifest ${file}:\n${errors.join('\n')}`);
  }
}

/** Reads and validates a manifest file; throws ManifestError listing every problem. */
export async function readManifestFile(file: string): Promise<RawManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestError(file, [`(root): cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(file, [`(root): not valid JSON (${(err as Error).message})`]);
  }
  const result = validateManifest(json);
  if (!result.ok) throw new ManifestError(file, result.errors);
  return result.manifest;
}

export async function loadManifest(file: string, defaults: EnvDefaults): Promise<ResolvedManifest> {
  return resolveManifest(await readManifestFile(file), defaults);
}
