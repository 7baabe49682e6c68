import type { CoreDeps } from '../core/index.js';
import { createCasbinProvider } from './casbin/index.js';
import type { Authorization } from './engine.js';
import type { PermissionHints } from './known-permissions.js';
import { createOsoProvider } from './oso/index.js';
import type { AuthzAppConfig } from './types.js';

export { MongoAdapter, RBAC_MODEL } from './casbin/index.js';
export type { Authorization } from './engine.js';
export { PolicyInputError } from './input.js';
export { PermissionHints } from './known-permissions.js';
export { keyMatch, subjectOf } from './rbac.js';
export { PolicyStore } from './store.js';
export type { AuthorizationProvider, AuthzAppConfig, Permission } from './types.js';

export interface AuthorizationSettings {
  /** How often the policy revision is polled (the server uses the manifest's revocation poll, 500 ms). */
  pollMs: number;
  /**
   * The (resource, action) pairs the application checks, owned by the Gatehouse instance (its
   * schema's `@permission`s): OSO precomputes its answers for them; Casbin needs none.
   */
  hints: PermissionHints;
}

/** The app's authorization provider: Casbin unless its manifest says `policy.provider: "oso"`. */
export function createAuthorization(
  deps: CoreDeps,
  app: AuthzAppConfig,
  settings: AuthorizationSettings,
): Authorization {
  return app.policy.provider === 'oso'
    ? createOsoProvider(deps, app, settings.pollMs, settings.hints)
    : createCasbinProvider(deps, app, settings.pollMs);
}
