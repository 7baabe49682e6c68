/**
 * Scenario 13's measurement: what importing one entry of the package costs a fresh process — the
 * time of the `import()` and the RSS and heap it leaves, and which modules it loaded.
 *
 *   node --expose-gc dist/bench/import-child.js gatehouse/plugin
 */
import { registerHooks } from 'node:module';
import { performance } from 'node:perf_hooks';

const specifier = process.argv[2];
if (!specifier) throw new Error('usage: import-child.js <specifier>');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const loaded: string[] = [];
registerHooks({
  load(url, context, nextLoad) {
    loaded.push(url);
    return nextLoad(url, context);
  },
});
gc();
const before = process.memoryUsage();
const t0 = performance.now();
// The package imports itself by name (package.json "exports"), as a consumer would.
await import(specifier);
const importMs = performance.now() - t0;
gc();
gc();
const after = process.memoryUsage();
const has = (part: string) => loaded.some((u) => u.includes(part));
process.stdout.write(
  `${JSON.stringify({
    importMs,
    rssMb: after.rss / 2 ** 20,
    rssGrowthMb: (after.rss - before.rss) / 2 ** 20,
    heapMb: after.heapUsed / 2 ** 20,
    modules: loaded.length,
    yogaServer: has('/graphql-yoga/esm/server.js'),
    pothos: has('/@pothos/'),
    flows: has('/dist/src/flows/'),
    gatehouseServer: has('/dist/src/gatehouse.js') || has('/dist/src/http/'),
  })}\n`,
);
