/**
 * The Gatehouse GraphQL surface: the Pothos schema and its resolvers, the server's auth plugin,
 * error masking, and the request context and Services locator they read.
 */
export { useCachedGatehouseAuth } from './auth-cache.js';
export { useGatehouseAuth } from './auth-plugin.js';
export { type DeliveredTokens, type GatehouseContext, presentedToken, type RequestCredentials } from './context.js';
export { FEDERATION_SPEC_URL, GATEHOUSE_SPEC_URL } from './federation.js';
export { createMaskError, isDatabaseUnavailable } from './mask.js';
export { printSdl } from './print.js';
export { PUBLIC_ROOT_FIELDS } from './public-fields.js';
export { gatehouseSchema } from './schema.js';
export type { Services } from './services.js';
