import type { ServerSettings } from '../../config/index.js';
import { corsOptions } from './cors.js';

/**
 * The createYoga options that bound and fence requests, from manifest `server`:
 * - `maxRequestBodySize`: Yoga answers 413 before parsing, on Content-Length and on the bytes
 *   actually streamed (chunked bodies included);
 * - `batching`: more operations than `max_batch` in one request → 413; 0 turns batching off (400);
 * - `cors`: see corsOptions.
 */
export function yogaSecurityOptions(server: ServerSettings) {
  const { maxBodyBytes, maxBatch } = server.graphql;
  return {
    cors: corsOptions(server.http.corsOrigins),
    maxRequestBodySize: maxBodyBytes,
    batching: maxBatch > 0 ? { limit: maxBatch } : false,
  } as const;
}
