import { context, DiagLogLevel, diag, propagation, trace } from '@opentelemetry/api';
import type { Logger } from './logger.js';

export interface OtelSdk {
  /** Flushes the spans still queued, then unregisters the provider, context manager and propagator. */
  shutdown(): Promise<void>;
}

type Env = Record<string, string | undefined>;

/** True when the standard OTLP env asks for export and OTEL_SDK_DISABLED does not veto it. */
export function otlpExportConfigured(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/** A positive integer env value, else undefined (the SDK's own default then applies). */
function positive(env: Env, name: string): number | undefined {
  const n = Number(env[name]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The OTEL_BSP_* settings: the 3.x SDK no longer reads them itself. */
function batchOptions(env: Env) {
  const options: {
    scheduledDelayMillis?: number;
    exportTimeoutMillis?: number;
    maxQueueSize?: number;
    maxExportBatchSize?: number;
  } = {};
  const set = (key: keyof typeof options, name: string) => {
    const v = positive(env, name);
    if (v !== undefined) options[key] = v;
  };
  set('scheduledDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY');
  set('exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT');
  set('maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE');
  set('maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
  return options;
}

/**
 * Starts the OpenTelemetry trace SDK with an OTLP/HTTP exporter when the env asks for it, else
 * does nothing and loads nothing: the SDK, exporter and their dependencies are imported here
 * only (dynamic import), so a Gatehouse without OTLP env pays for none of it and its spans stay
 * the API's no-ops. The exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS, _TIMEOUT
 * itself; service.name is OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES), default `gatehouse`;
 * process.pid tells the workers of one `serve --workers` apart.
 * Spans go out in batches (BatchSpanProcessor); propagation is W3C trace context. The SDK's own
 * warnings (a collector that refuses or cannot be reached) go to `logger`, else they would vanish.
 */
export async function startOtelSdk(env: Env = process.env, logger?: Logger): Promise<OtelSdk | undefined> {
  if (!otlpExportConfigured(env)) return undefined;
  if (logger) {
    const quiet = () => {};
    const warn = (message: string) => logger.warn({ component: 'opentelemetry' }, message);
    const error = (message: string) => logger.error({ component: 'opentelemetry' }, message);
    diag.setLogger({ error, warn, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
  }
  const [sdk, otlp, resources, hooks, core] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
  ]);
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': 'gatehouse', 'process.pid': process.pid }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new sdk.TracerProvider({
    resource,
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter: new otlp.OTLPTraceExporter(), ...batchOptions(env) })],
  });
  context.setGlobalContextManager(new hooks.AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      // A collector gone at shutdown costs the last batch, not the clean exit.
      await provider.shutdown().catch((err: Error & { code?: string }) => {
        logger?.warn({ component: 'opentelemetry', err: err.code ?? err.name }, 'last spans not exported');
      });
      trace.disable();
      propagation.disable();
      context.disable();
      diag.disable();
    },
  };
}
