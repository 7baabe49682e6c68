export { createHeadersFor, type HeadersFor, signingFetch } from './forward.js';
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { DownstreamUnavailableError, type LoadedDownstream, type LoadOptions, loadDownstreamSdl } from './load.js';
export { DownstreamSdlError, prepareDownstreamSdl } from './sdl.js';
export type { StitchOptions } from './stitch.js';
