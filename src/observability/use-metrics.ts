import type { Plugin } from 'graphql-yoga';
import { operationNames } from './operation-names.js';
import type { Metrics } from './types.js';

type OperationResult = Parameters<NonNullable<Plugin['onExecutionResult']>>[0]['result'];

/** ok: a result without errors; a stream that started counts as ok. */
function succeeded(result: OperationResult): boolean {
  if (result === undefined) return false;
  return !('errors' in result) || !result.errors?.length;
}

/**
 * Counts every GraphQL operation by name and outcome and observes its latency, from the
 * request's arrival to its result (batched operations share the arrival time). Per request it
 * stores a start time and a name in WeakMaps; label handles come cached from `metrics`.
 * Requests that never reach an operation (malformed body, unknown route) are not counted here.
 */
export function useMetrics(metrics: Metrics): Plugin {
  const started = new WeakMap<Request, number>();
  const names = operationNames();
  return {
    onRequestParse({ request }) {
      started.set(request, performance.now());
    },
    onParse: names.onParse,
    onExecutionResult({ request, context, result }) {
      const start = started.get(request);
      if (start === undefined) return;
      metrics.graphqlOperation(names.nameOf(context)).observe(succeeded(result), (performance.now() - start) / 1000);
    },
  };
}

/** Serves `GET /metrics` (or `path`) in the Prometheus text format of `metrics.registry`. */
export function useMetricsRoute(metrics: Metrics, path = '/metrics'): Plugin {
  const { registry } = metrics;
  return {
    // not async: every other request passes through without a promise
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' || url.pathname !== path) return;
      return registry.metrics().then((text) => {
        endResponse(new fetchAPI.Response(text, { headers: { 'content-type': registry.contentType } }));
      });
    },
  };
}
