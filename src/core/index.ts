/**
 * What domains stand on: the dependency types every factory takes, purpose keys, and the one
 * poller the background readers share. Imports only ground and infra (src/clock, src/db,
 * src/observability), so every domain may import it.
 */
export type { CoreDeps } from './deps.js';
export { deriveKey, KEY_PURPOSES, type KeyPurpose } from './keys.js';
export { createPoller, type Poller, type PollerOptions, type PollTrigger } from './poller.js';
