import { type ExecutionResult, GraphQLError } from 'graphql';
import type { GatehouseContext } from '../graphql/index.js';
import type { SignedPost } from './signed-post.js';
import type { DownstreamAnswer } from './http-fetch.js';

/** One operation for a downstream service, already serialised as its GraphQL-over-HTTP body. */
export interface DirectRequest {
  body: string;
  operationType: 'query' | 'mutation';
  context: GatehouseContext | undefined;
}

export type DirectCall = (request: DirectRequest) => Promise<ExecutionResult>;

/** Wraps a call in the downstream client span (stitch.ts: the same span as a delegated call's). */
export type DownstreamSpan = (operationType: string, call: () => Promise<ExecutionResult>) => Promise<ExecutionResult>;

const HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
const UTF8 = new TextDecoder();

const failure = (service: string, what: string, cause?: unknown): ExecutionResult => ({
  errors: [new GraphQLError(`downstream "${service}" ${what}`, { originalError: new Error(what, { cause }) })],
});

/** A GraphQL-over-HTTP answer as an ExecutionResult: the service's data and errors, or why it is not one. */
export function readAnswer(service: string, answer: DownstreamAnswer): ExecutionResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(UTF8.decode(answer.body));
  } catch (err) {
    return failure(service, `answered HTTP ${answer.status} with a body that is not JSON`, err);
  }
  if (typeof parsed !== 'object' || parsed === null)
    return failure(service, 'answered with something other than a GraphQL result');
  const { data, errors } = parsed as { data?: unknown; errors?: unknown };
  const list = Array.isArray(errors) ? (errors as { message?: unknown; path?: unknown; extensions?: unknown }[]) : [];
  if (data == null && list.length === 0)
    return failure(service, `answered HTTP ${answer.status} with neither data nor errors`);
  const result: ExecutionResult = { data: (data ?? null) as ExecutionResult['data'] };
  if (list.length) {
    result.errors = list.map(
      (e) =>
        new GraphQLError(typeof e?.message === 'string' ? e.message : 'downstream error', {
          path: Array.isArray(e?.path) ? (e.path as (string | number)[]) : undefined,
          extensions:
            typeof e?.extensions === 'object' && e.extensions ? (e.extensions as Record<string, unknown>) : {},
        }),
    );
  }
  return result;
}

/**
 * The pass-through's transport: one signed POST of the operation, its answer read without the
 * executor machinery of a delegated call (executor-http's request and Response objects).
 */
export function directCall(service: string, url: string, post: SignedPost, span: DownstreamSpan): DirectCall {
  return (request) =>
    span(request.operationType, async () => {
      let answer: DownstreamAnswer;
      try {
        answer = await post(url, { method: 'POST', headers: HEADERS, body: request.body }, request.context);
      } catch (err) {
        return failure(service, 'did not answer', err);
      }
      return readAnswer(service, answer);
    });
}
