import { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { MongoError } from 'mongodb';
import { PolicyInputError } from '../authz/index.js';
import { FlowError } from '../flows/index.js';
import { BusyError, InputError } from '../identity/index.js';
import { badInput, gatehouseError, PUBLIC_CODES, serviceUnavailable } from './errors.js';

/** Socket failures the driver can let through unwrapped (EPIPE writing to a server that just died). */
const SOCKET_ERRORS = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'ENOTCONN']);

/** Driver errors that mean "the database is not answering": the caller gets SERVICE_UNAVAILABLE. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof MongoError))
    return err instanceof Error && SOCKET_ERRORS.has(String((err as NodeJS.ErrnoException).code));
  return /Network|ServerSelection|Timeout|NotConnected|PoolCleared|TopologyClosed/.test(err.name);
}

/** Domain refusals → the contract's GraphQL errors. */
function fromDomain(err: unknown): GraphQLError | undefined {
  if (err instanceof FlowError) return gatehouseError(err.code, err.message, err.extra);
  if (err instanceof PolicyInputError) return badInput(err.field, err.message);
  if (err instanceof InputError) {
    return badInput(err.field, err.message, err.reasons.length ? { reasons: err.reasons } : {});
  }
  // The database is unreachable, or argon2 work waited too long for a slot: try again later.
  if (isDatabaseUnavailable(err) || err instanceof BusyError) return serviceUnavailable();
  return undefined;
}

/**
 * graphql-js's own refusals of a request — parse, validation, variable coercion ("String cannot
 * represent a non string value") — raised before any resolver ran: a chain of GraphQLErrors
 * without a path, describing only the client's input. They pass as they are, like Yoga's default.
 */
function isRequestError(err: unknown): boolean {
  let e = err;
  for (let i = 0; i < 5 && e instanceof GraphQLError; i++) {
    if (e.path !== undefined) return false;
    if (!e.originalError) return true;
    e = e.originalError;
  }
  return false;
}

const VARIABLE_ERROR =
  /^Variable "\$(\w+)" (?:got invalid value|of required type|of non-null type)[\s\S]*?(?: at "([\w.[\]]+)")?(?:;|$)/;

/**
 * graphql-js repeats a refused variable's whole value in its message (a password, say): answer
 * BAD_USER_INPUT naming the offending field instead, and never echo the value.
 */
function scrubVariableError(e: GraphQLError): GraphQLError {
  const m = VARIABLE_ERROR.exec(e.message);
  if (!m) return e;
  const missing = /Field "(\w+)" of required type/.exec(e.message)?.[1];
  const field =
    missing ??
    (m[2] ?? m[1]!)
      .split(/[.[\]]/)
      .filter(Boolean)
      .pop() ??
    m[1]!;
  return createGraphQLError(`Variable "$${m[1]}" has an invalid value${m[2] ? ` at "${m[2]}"` : ''}`, {
    nodes: e.nodes,
    extensions: { code: 'BAD_USER_INPUT', field },
  });
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
    if (error instanceof GraphQLError && !error.originalError) return scrubVariableError(error); // parse/validation errors, ours
    if (isRequestError(error)) return scrubVariableError(error as GraphQLError);
    const cause = rootCause(error);
    const known =
      cause instanceof GraphQLError && PUBLIC_CODES.has(String(cause.extensions?.code)) ? cause : fromDomain(cause);
    if (!known) onUnexpected(cause);
    const at = error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {};
    return known
      ? createGraphQLError(known.message, { ...at, extensions: known.extensions })
      : createGraphQLError('Unexpected error.', { ...at, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
}
