export { createHeadersFor, type HeadersFor, signingFetch } from './forward.js';
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { DownstreamUnavailableError, type LoadedDownstream, type LoadOptions, loadDownstreamSdl } from './load.js';
export { DownstreamSdlError, prepareDownstreamSdl } from './sdl.js';
export {
  APP_HEADER,
  bodyHash,
  type CanonicalFields,
  deriveGatewayKey,
  exportGatewayKey,
  type GatewayIdentity,
  gatewayHeaders,
  KEY_INFO,
  macV2,
  NONCE_HEADER,
  SESSION_ID_HEADER,
  SIGNATURE_HEADER,
  type SignedCall,
  TIMESTAMP_HEADER,
  USER_ID_HEADER,
} from './signature.js';
export type { StitchOptions } from './stitch.js';
