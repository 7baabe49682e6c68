import type { ErrorCode } from '../vocabulary/index.js';

/**
 * A refusal the client is told about, with a contract code. Domain and flow code throws it;
 * the GraphQL layer's error mask turns it into `extensions.code` (plus `extra`).
 */
export class FlowError extends Error {
  override name = 'FlowError';
  constructor(
    readonly code: Exclude<ErrorCode, 'BAD_USER_INPUT' | 'INTERNAL_SERVER_ERROR'>,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** One message for every failed login, whatever the cause (no account enumeration). */
export const INVALID_CREDENTIALS = 'Invalid email or password';
export const INVALID_REFRESH = 'Invalid refresh token';

export const refusedLogin = () => new FlowError('UNAUTHENTICATED', INVALID_CREDENTIALS);
export const refusedRefresh = () => new FlowError('UNAUTHENTICATED', INVALID_REFRESH);
export const forbiddenFlow = (message: string) => new FlowError('FORBIDDEN', message);
export const rateLimitedFlow = (retryAfter: number) =>
  new FlowError('RATE_LIMITED', 'Too many attempts, try again later', {
    retryAfter: Math.max(1, Math.ceil(retryAfter)),
  });
