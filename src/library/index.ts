export {
  createTokenVerifier,
  type KeySource,
  type Needs,
  needsOf,
  type PublicAlgorithm,
  type TokenVerifier,
  type VerifierOptions,
} from '../enforcement/index.js';
export { type CallerChecks, meets, policyPermission } from '../vocabulary/index.js';
export {
  type GatewayRefusal,
  type GatewayRequest,
  type GatewayVerification,
  type HeaderSource,
  MAX_WINDOW_SECONDS,
  type VerifyOptions,
  verifyGatewaySignature,
} from './gateway-verify.js';
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
export { createNonceStore, type MemoryNonceStoreOptions, type NonceStore } from './nonce-store.js';
export { type GatehousePlugin, type UseGatehouseOptions, useGatehouse } from './plugin.js';
export type { RemotePermissions } from './remote-source.js';
export type { Decision, PermissionSource } from './source.js';
