/**
 * The `gatehouse` package: the server factory for embedding, the Envelop plugin and token
 * helpers for other GraphQL servers and clients, and what a service behind the gateway needs.
 * (`gatehouse/plugin`, src/plugin.ts, is the light entry for useGatehouse alone.)
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
export type { Services } from './services.js';
export type { AccessClaims, VerifiedToken } from './tokens/index.js';

// Other GraphQL servers: enforce @auth / @permission with Gatehouse tokens and policies; and the
// services behind the gateway: refuse traffic that did not come through it, or came twice.
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

// The directive definitions every service that declares @auth / @permission must use verbatim,
// the Federation link URLs, and the signed-call headers and key export of the gateway.
export { FEDERATION_SPEC_URL, GATEHOUSE_SPEC_URL } from './graphql/index.js';
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
