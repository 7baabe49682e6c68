import { createGraphQLError } from '@graphql-tools/utils';
import type { FieldNode, GraphQLError } from 'graphql';
import type { ErrorCode } from '../vocabulary/index.js';

/** The codes a guarded field is refused with. */
export type RefusalCode = Extract<ErrorCode, 'UNAUTHENTICATED' | 'FORBIDDEN' | 'SERVICE_UNAVAILABLE'>;

/** Why a field is refused, without where: the enforcement core adds the node and path. */
export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
  readonly status: number;
  /** A machine-readable cause (extensions.reason), where there is one. */
  readonly reason?: string;
}

const DEFAULTS: Record<RefusalCode, { message: string; status: number }> = {
  UNAUTHENTICATED: { message: 'Authentication required', status: 401 },
  FORBIDDEN: { message: 'Forbidden', status: 403 },
  SERVICE_UNAVAILABLE: { message: 'Service temporarily unavailable', status: 503 },
};

/** A refusal with the code's usual message and HTTP status unless told otherwise. */
export function refusal(code: RefusalCode, message = DEFAULTS[code].message, reason?: string): Refusal {
  return Object.freeze({ code, message, status: DEFAULTS[code].status, ...(reason ? { reason } : {}) });
}

/** The three refusals almost every check returns, made once. */
export const UNAUTHENTICATED = refusal('UNAUTHENTICATED');
export const FORBIDDEN = refusal('FORBIDDEN');
export const SERVICE_UNAVAILABLE = refusal('SERVICE_UNAVAILABLE');

/** The GraphQL error of a refusal at one field: the error clients see (code, reason, http.status). */
export function refusalError(r: Refusal, fieldNode: FieldNode, path: ReadonlyArray<string | number>): GraphQLError {
  return createGraphQLError(r.message, {
    nodes: [fieldNode],
    path,
    extensions: { code: r.code, ...(r.reason ? { reason: r.reason } : {}), http: { status: r.status } },
  });
}
