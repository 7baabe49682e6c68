/**
 * `gatehouse/plugin`: only what useGatehouse needs, for GraphQL servers that enforce Gatehouse's
 * directives themselves. Loads neither Gatehouse's server (Yoga, Pothos, the flows) nor the CLI,
 * so importing it costs a fraction of importing `gatehouse`.
 */
export type { KeySource, PublicAlgorithm, VerifierOptions } from './enforcement/index.js';
export type { MongoPermissions } from './library/mongodb-source.js';
export { type GatehousePlugin, type UseGatehouseOptions, useGatehouse } from './library/plugin.js';
export type { RemotePermissions } from './library/remote-source.js';
export type { AccessClaims, VerifiedToken } from './tokens/types.js';
/** The directive definitions every service that declares @auth / @permission must use verbatim. */
export { GATEHOUSE_DIRECTIVES_SDL } from './vocabulary/index.js';
