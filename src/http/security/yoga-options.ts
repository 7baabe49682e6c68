import type { ServerSettings } from '../../config/index.js';
import { corsOptions } from './cors.js';

/**
 * The createYoga options that bound and fence requests, from manifest `server`:
 * - `maxRequestBodySize: false`: the limit is useRequestBodyLimit(maxBodyBytes) instead, which
 *   answers as Yoga's would (413 on Content-Length and on the bytes actually streamed) without
 *   piping framed bodies through a counting stream — add that plugin, last;
 * - `batching`: more operations than `max_batch` in one request → 413; 0 turns batching off (400);
 * - `cors`: see corsOptions.
 */
export function yogaSecurityOptions(server: ServerSettings) {
  const { maxBatch } = server.graphql;
  return {
    cors: corsOptions(server.http.corsOrigins),
    maxRequestBodySize: false,
    batching: maxBatch > 0 ? { limit: maxBatch } : false,
  } as const;
}
