export { captureLogs, type LogCapture } from './log-capture.js';
export { createLogger, type Logger } from './logger.js';
export { createMetrics, LATENCY_BUCKETS, type MetricsOptions } from './metrics.js';
export { CENSOR, redactSecrets, SECRET_KEYS } from './redact.js';
export { errorCodeOf, failSpan, inSpan, inSpanSync, SpanKind, tracer } from './tracing.js';
export type * from './types.js';
export { useMetrics, useMetricsRoute } from './use-metrics.js';
export { QUIET_PATHS, type RequestLogOptions, requestIdFrom, useRequestLog } from './use-request-log.js';
export { useTracing } from './use-tracing.js';
