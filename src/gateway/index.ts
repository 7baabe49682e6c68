export { createHeadersFor, type HeadersFor } from './forward.js';
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { DownstreamUnavailableError, type LoadedDownstream, type LoadOptions, loadDownstreamSdl } from './load.js';
export { enablePassThrough, type RootFieldOwners, usePassThrough } from './pass-through.js';
export { DownstreamSdlError, prepareDownstreamSdl } from './sdl.js';
export type { StitchOptions } from './stitch.js';
