import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * Gatehouse's tracer. Until an SDK registers a provider (see otel-sdk.ts) the API hands out
 * non-recording spans: each helper below then costs one small object and a closure call, and no
 * attribute object is built — callers guard attributes with `span.isRecording()`.
 */
export const tracer = trace.getTracer('gatehouse');

export { SpanKind };

/**
 * The code a failure is reported under: a GraphQL error's `extensions.code`, a FlowError's
 * `code`, else INTERNAL_SERVER_ERROR. Never the message: it can quote input (an email, a token).
 */
export function errorCodeOf(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown; extensions?: { code?: unknown } };
    if (typeof e.extensions?.code === 'string') return e.extensions.code;
    if (typeof e.code === 'string' && /^[A-Z][A-Z_]*$/.test(e.code)) return e.code;
  }
  return 'INTERNAL_SERVER_ERROR';
}

/** Marks `span` failed with `code` (status ERROR, `error.type`), no message, no exception event. */
export function failSpan(span: Span, code: string): void {
  if (!span.isRecording()) return;
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/**
 * Runs `fn` in a child span of the active context; the span ends when `fn` settles. A span that
 * does not record (no SDK, or a trace not sampled) is handed to `fn` without entering a context
 * or wrapping `fn`: nothing needs ending or marking, and its children are decided by the same
 * unsampled parent above it, so the no-SDK path adds no promise and no closure.
 */
export function inSpan<T>(
  name: string,
  fn: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  const span = tracer.startSpan(name, kind === SpanKind.INTERNAL ? undefined : { kind });
  if (!span.isRecording()) return fn(span);
  return context.with(trace.setSpan(context.active(), span), async () => {
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, errorCodeOf(err));
      throw err;
    } finally {
      span.end();
    }
  });
}

/** inSpan for synchronous work (in-memory checks): no promise is made. */
export function inSpanSync<T>(name: string, fn: (span: Span) => T): T {
  const span = tracer.startSpan(name);
  if (!span.isRecording()) return fn(span);
  return context.with(trace.setSpan(context.active(), span), () => {
    try {
      return fn(span);
    } catch (err) {
      failSpan(span, errorCodeOf(err));
      throw err;
    } finally {
      span.end();
    }
  });
}
