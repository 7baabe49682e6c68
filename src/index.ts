/**
 * The `gatehouse` package: the server factory for embedding, the Envelop plugin and token
 * helpers for other GraphQL servers and clients, and what a service behind the gateway needs.
 */

// Running Gatehouse in-process.
export {
  createGatehouse,
  type Gatehouse,
  type GatehouseOptions,
  type RunningServices,
  type ServicesOptions,
  startServices,
} from './gatehouse.js';
export { FEDERATION_SPEC_URL, GATEHOUSE_SPEC_URL } from './graphql/index.js';
// Other GraphQL servers: enforce @auth / @permission with Gatehouse tokens and policies.
export {
  age,
  createNonceStore,
  createTokenVerifier,
  expiresAt,
  type GatehousePlugin,
  type GatewayRefusal,
  type GatewayRequest,
  type GatewayVerification,
  isExpired,
  isExpiringSoon,
  type KeySource,
  type LifetimeClaims,
  type MemoryNonceStoreOptions,
  type MongoPermissions,
  type NonceStore,
  type RefreshPolicy,
  type RemotePermissions,
  shouldRefresh,
  type TokenVerifier,
  timeUntilExpiry,
  type UseGatehouseOptions,
  useGatehouse,
  type VerifyOptions,
  verifyGatewaySignature,
} from './library/index.js';
export type { Services } from './services.js';
export type { AccessClaims, VerifiedToken } from './tokens/index.js';
// Services behind the gateway: refuse traffic that did not come through it, or came twice.
/** The directive definitions every service that declares @auth / @permission must use verbatim. */
export {
  APP_HEADER,
  exportGatewayKey,
  GATEHOUSE_DIRECTIVES_SDL,
  NONCE_HEADER,
  SESSION_ID_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  USER_ID_HEADER,
} from './vocabulary/index.js';
