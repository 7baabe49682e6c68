/**
 * Scenario 10's server, in a process of its own so the two variants never share an OpenTelemetry
 * global: the big world's main app served over HTTP, either with no SDK registered (the API's
 * no-ops, what Gatehouse runs without OTLP env) or with a real SDK — tracer provider, W3C
 * propagator, AsyncLocalStorage context manager, BatchSpanProcessor into an in-memory exporter
 * (emptied every 250 ms so memory stays flat). Prints `listening on URL`; on SIGTERM prints the
 * spans it recorded as `spans N requests M` (M: its graphql.request spans). A stdin line `run MS CONCURRENCY` runs the in-process load
 * (yoga.fetch, no sockets) of an authenticated `can` with BENCH_TOKEN and answers `rps N`.
 *
 *   BENCH_WORLD='{"uri":…,"dbName":…,"secret":…}' BENCH_TRACING=sdk|none BENCH_TOKEN=… node dist/bench/tracing-child.js
 */
import { createInterface } from 'node:readline';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BatchSpanProcessor, InMemorySpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { graphqlInit, load } from './lib/inprocess.js';
import { MAIN_APP, mainManifest, resolved } from './world/manifest.js';
import { CAN } from './world/operations.js';
import { openGatehouse, type WorldAddress } from './world/world.js';

const at = JSON.parse(process.env.BENCH_WORLD ?? '') as WorldAddress;
let recorded = 0;
let requests = 0;
let provider: TracerProvider | undefined;
if (process.env.BENCH_TRACING === 'sdk') {
  const exporter = new InMemorySpanExporter();
  provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 100 })] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  setInterval(() => {
    const spans = exporter.getFinishedSpans();
    recorded += spans.length;
    requests += spans.filter((s) => s.name === 'graphql.request').length;
    exporter.reset();
  }, 250).unref();
}
const world = await openGatehouse(at, resolved(mainManifest()));
const listening = await world.gatehouse.listen(0, '127.0.0.1');
process.stdout.write(`listening on ${listening.url}\n`);
const init = graphqlInit(CAN, { authorization: `Bearer ${process.env.BENCH_TOKEN}`, 'x-gatehouse-app': MAIN_APP });
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, ms, concurrency] = line.trim().split(/\s+/);
  if (cmd !== 'run') return;
  void load(world.gatehouse.yoga, () => init, { durationMs: Number(ms), concurrency: Number(concurrency) }).then(
    (r) => process.stdout.write(`rps ${r.rps}\n`),
    (err: Error) => process.stdout.write(`failed ${err.message.replace(/\s+/g, ' ')}\n`),
  );
});
process.once('SIGTERM', () => {
  void (async () => {
    await provider?.forceFlush();
    await world.stop();
    process.stdout.write(`spans ${recorded} requests ${requests}\n`);
    process.exit(0);
  })();
});
