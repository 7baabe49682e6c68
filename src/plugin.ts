/**
 * `gatehouse/plugin`: only what useGatehouse needs, for GraphQL servers that enforce Gatehouse's
 * directives themselves. Loads neither Gatehouse's server (Yoga, Pothos, the flows) nor the CLI,
 * so importing it costs a fraction of importing `gatehouse`.
 */
export {
  type GatehousePlugin,
  type KeySource,
  type MongoPermissions,
  type PublicAlgorithm,
  type RemotePermissions,
  type UseGatehouseOptions,
  useGatehouse,
  type VerifierOptions,
} from './library/index.js';
export type { AccessClaims, VerifiedToken } from './tokens/index.js';
/** The directive definitions every service that declares @auth / @permission must use verbatim. */
export { GATEHOUSE_DIRECTIVES_SDL } from './vocabulary/index.js';
