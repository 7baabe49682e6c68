import { context, isSpanContextValid, propagation, ROOT_CONTEXT, type TextMapGetter, trace } from '@opentelemetry/api';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { errorCodeOf, failSpan, SpanKind, tracer } from './tracing.js';

/** Reads W3C trace headers (`traceparent`, `tracestate`) from a Fetch API Headers object. */
const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

type OperationResult = Parameters<NonNullable<Plugin['onExecutionResult']>>[0]['result'];

/** The distinct error codes of a result (a stream or a clean result has none). */
function errorCodes(result: OperationResult): string[] {
  if (result === undefined || !('errors' in result) || !result.errors?.length) return [];
  return [...new Set(result.errors.map(errorCodeOf))];
}

/**
 * A `graphql.request` server span around each GraphQL operation (each one of a batch), from
 * context building (token verification) through parse, validation, authorization and execution.
 * It continues the caller's trace when the request carries `traceparent`, and is the active span
 * for everything the operation does, so flows and downstream calls nest under it. Attributes are
 * the operation's name and type only: never variables, the document or a header value.
 * Non-GraphQL routes (/health, /metrics, JWKS) get no span.
 */
export function useTracing(): Plugin {
  return {
    instrumentation: {
      operation({ request }, wrapped) {
        const parent = propagation.extract(ROOT_CONTEXT, request.headers, headersGetter);
        const span = tracer.startSpan('graphql.request', { kind: SpanKind.SERVER }, parent);
        if (!span.isRecording()) {
          // No SDK and no caller's trace: no trace id to carry, no sampling decision to pass down,
          // so no context to enter either.
          if (!isSpanContextValid(span.spanContext())) return wrapped();
          // Not sampled: nothing to end or mark, so no wrapper promise; children still see the decision.
          return context.with(trace.setSpan(parent, span), wrapped);
        }
        const active = trace.setSpan(parent, span);
        return context.with(active, async () => {
          try {
            await wrapped();
          } catch (err) {
            failSpan(span, errorCodeOf(err));
            throw err;
          } finally {
            span.end();
          }
        });
      },
    },
    onExecute({ args }) {
      const span = trace.getActiveSpan();
      if (!span?.isRecording()) return;
      const op = getOperationAST(args.document, args.operationName);
      span.setAttribute('graphql.operation.type', op?.operation ?? 'unknown');
      span.setAttribute('graphql.operation.name', op?.name?.value ?? 'anonymous');
    },
    onExecutionResult({ result }) {
      const span = trace.getActiveSpan();
      if (!span?.isRecording()) return;
      const codes = errorCodes(result);
      if (codes.length === 0) return;
      span.setAttribute('graphql.error.codes', codes);
      failSpan(span, codes[0]!);
    },
  };
}
