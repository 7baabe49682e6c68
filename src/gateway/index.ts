export { createHeadersFor, type HeadersFor } from './forward.js';
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { DownstreamUnavailableError, type LoadedDownstream, type LoadOptions, loadDownstreamSdl } from './load.js';
export { AUTH_DIRECTIVES_SDL, DownstreamSdlError, GATEHOUSE_DIRECTIVES_SDL, prepareDownstreamSdl } from './sdl.js';
export {
  APP_HEADER,
  deriveGatewayKey,
  exportGatewayKey,
  type GatewayIdentity,
  type GatewayVerification,
  gatewayHeaders,
  SIGNATURE_HEADER,
  USER_ID_HEADER,
  type VerifyOptions,
  verifyGatewaySignature,
} from './signature.js';
export type { StitchOptions } from './stitch.js';
