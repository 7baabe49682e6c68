import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

import type { ErrorCode } from '../vocabulary/index.js';

export { ERROR_CODES, type ErrorCode, PUBLIC_CODES } from '../vocabulary/index.js';

type Extra = Record<string, unknown> & { status?: number };

export function gatehouseError(code: ErrorCode, message: string, extra: Extra = {}): GraphQLError {
  const { status, ...extensions } = extra;
  return createGraphQLError(message, {
    extensions: { code, ...extensions, ...(status ? { http: { status } } : {}) },
  });
}

export const unauthenticated = (message = 'Authentication required') => gatehouseError('UNAUTHENTICATED', message);
export const forbidden = (message = 'Forbidden') => gatehouseError('FORBIDDEN', message);
export const badInput = (field: string, message: string, extra: Record<string, unknown> = {}) =>
  gatehouseError('BAD_USER_INPUT', message, { field, ...extra });
export const rateLimited = (retryAfter: number) =>
  gatehouseError('RATE_LIMITED', 'Too many attempts, try again later', {
    retryAfter: Math.max(1, Math.ceil(retryAfter)),
  });
export const serviceUnavailable = (message = 'Service temporarily unavailable') =>
  gatehouseError('SERVICE_UNAVAILABLE', message, { status: 503 });
