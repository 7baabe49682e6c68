export { ConfigError, type EnvSettings, readEnv } from './env.js';
export { loadManifest, ManifestError, readManifestFile } from './load.js';
export { ALGORITHMS, type SigningAlgorithm } from './manifest-schema.js';
export { configurationReference, envVarsTable, manifestKeysTable } from './reference.js';
export {
  type AppConfig,
  BUILTIN_DEFAULTS,
  type DemoUser,
  type Downstream,
  type EnvDefaults,
  type Limit,
  type ResolvedManifest,
  resolveManifest,
  type ServerSettings,
} from './resolve.js';
export { loadSecret, secretWeakness } from './secret.js';
export { formatPath, validateManifest } from './validate.js';
export { manifestWarnings } from './warnings.js';
