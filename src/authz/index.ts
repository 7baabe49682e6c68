import type { AppConfig } from '../config/index.js';
import type { CoreDeps } from '../services.js';
import { createCasbinProvider } from './casbin/provider.js';
import type { Authorization } from './engine.js';
import { createOsoProvider } from './oso/provider.js';

export { MongoAdapter } from './casbin/adapter.js';
export { RBAC_MODEL } from './casbin/model.js';
export type { Authorization } from './engine.js';
export { PolicyInputError } from './input.js';
export { knownPermissions, PermissionHints } from './known-permissions.js';
export { keyMatch, subjectOf } from './rbac.js';
export { PolicyStore } from './store.js';
export type { AuthorizationProvider, AuthzAppConfig, Permission } from './types.js';

export interface AuthorizationOptions {
  /** How often the policy revision is polled (default: the manifest's revocation poll, 500 ms). */
  pollMs?: number;
}

/** The app's authorization provider: Casbin unless its manifest says `policy.provider: "oso"`. */
export function createAuthorization(deps: CoreDeps, app: AppConfig, opts: AuthorizationOptions = {}): Authorization {
  const pollMs = opts.pollMs ?? deps.manifest.server.revocation.pollMs;
  return app.policy.provider === 'oso' ? createOsoProvider(deps, app, pollMs) : createCasbinProvider(deps, app, pollMs);
}
