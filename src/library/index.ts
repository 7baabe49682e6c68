export { type CallerChecks, meets, type Needs, needsOf, policyPermission } from './checks.js';
export {
  age,
  expiresAt,
  isExpired,
  isExpiringSoon,
  type LifetimeClaims,
  type Now,
  type RefreshPolicy,
  shouldRefresh,
  timeUntilExpiry,
} from './lifecycle.js';
export type { MongoPermissions } from './mongodb-source.js';
export { type GatehousePlugin, type UseGatehouseOptions, useGatehouse } from './plugin.js';
export type { RemotePermissions } from './remote-source.js';
export type { Decision, PermissionSource } from './source.js';
export {
  createTokenVerifier,
  type KeySource,
  type PublicAlgorithm,
  type TokenVerifier,
  type VerifierOptions,
} from './verify.js';
