import { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { MongoError } from 'mongodb';
import { PUBLIC_CODES, serviceUnavailable } from './errors.js';

/** Driver errors that mean "the database is not answering": the caller gets SERVICE_UNAVAILABLE. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof MongoError)) return false;
  return /Network|ServerSelection|Timeout|NotConnected|PoolCleared|TopologyClosed/.test(err.name);
}

function rootCause(err: unknown): unknown {
  let e = err;
  for (let i = 0; i < 5 && e instanceof GraphQLError && e.originalError; i++) e = e.originalError;
  return e;
}

/**
 * Yoga's `maskError`: the contract's codes pass through, a database outage becomes
 * SERVICE_UNAVAILABLE, everything else becomes a bare INTERNAL_SERVER_ERROR — never a stack,
 * a driver message, a hash or a token. `onUnexpected` sees the real error for the log.
 */
export function createMaskError(onUnexpected: (err: unknown) => void) {
  return (error: unknown): Error => {
    const cause = rootCause(error);
    if (error instanceof GraphQLError && !error.originalError) {
      return error; // validation / parse errors and our own errors
    }
    if (cause instanceof GraphQLError && PUBLIC_CODES.has(String(cause.extensions?.code))) {
      return error instanceof GraphQLError
        ? createGraphQLError(cause.message, {
            nodes: error.nodes,
            path: error.path,
            extensions: cause.extensions,
          })
        : cause;
    }
    if (isDatabaseUnavailable(cause)) {
      const e = serviceUnavailable();
      return error instanceof GraphQLError
        ? createGraphQLError(e.message, { nodes: error.nodes, path: error.path, extensions: e.extensions })
        : e;
    }
    onUnexpected(cause);
    return createGraphQLError('Unexpected error.', {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  };
}
