/**
 * The served stack under HTTP load, under the CPU profiler (issue 16): plain Yoga and the full
 * `createGatehouseYoga` stack (logging at info into /dev/null, metrics, armor, cookies, CSRF,
 * headers) over the benchmark schema, autocannon on the client core, one window per variant.
 * Standalone (starts its own database):
 *
 *   node --cpu-prof --cpu-prof-dir bench/results/profile-http dist/bench/profile-http.js
 *   node dist/bench/report/flamegraph.js bench/results/profile-http   # summary + flame graph SVG
 *
 * BENCH_PROFILE_ONLY=gateway profiles scenario 7's pair alone.
 *
 * Writes windows.json (process.hrtime µs, request counts) beside the profile; prints each
 * variant's response headers first, so a stack that answered differently is seen at once.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchDatabase } from '../src/embedded-db/index.js';
import { cannon } from './lib/autocannon.js';
import { CLIENT_CPU, pin, SERVER_CPU } from './lib/cpu.js';
import { load } from './lib/inprocess.js';
import type { ProfileWindow } from './profile.js';
import { type HttpKind, taxFixture } from './scenarios/fixture.js';
import { gatewayFixture } from './scenarios/gateway.js';
import { dropWorld, prepareBigWorld } from './world/big.js';
import { bigManifest, MAIN_APP, resolved } from './world/manifest.js';
import { QUERIES, type QueryName } from './world/schema.js';
import { openServices } from './world/world.js';

const dir = process.argv[2] ?? 'bench/results/profile-http';
const seconds = Number(process.env.BENCH_PROFILE_S ?? 4);
const db = await launchDatabase({ log: () => {} });
if (db.ferret?.pid) pin(db.ferret.pid, CLIENT_CPU);
if (db.postgres?.pid) pin(db.postgres.pid, CLIENT_CPU);
pin(process.pid, SERVER_CPU);
const at = await prepareBigWorld(db.uri);
const world = await openServices(at, resolved(bigManifest()));
const us = () => Number(process.hrtime.bigint() / 1000n);
try {
  const fx = await taxFixture({ at, services: world.services });
  const servers = await fx.http();
  const headers = { authorization: `Bearer ${fx.warm[0]}`, 'x-gatehouse-app': MAIN_APP };
  const call = (kind: HttpKind, q: QueryName) => ({
    url: servers[kind].url,
    headers,
    body: JSON.stringify({ query: QUERIES[q] }),
  });
  for (const kind of ['plain', 'full'] as const) {
    const res = await fetch(servers[kind].url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: call(kind, 'perm10').body,
    });
    process.stderr.write(`${kind}: ${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}\n`);
  }
  const windows: ProfileWindow[] = [];
  const variants: [string, HttpKind, QueryName][] = [
    ['plain Yoga, HTTP, @permission ×10', 'plain', 'perm10'],
    ['full stack, HTTP, @permission ×10', 'full', 'perm10'],
    ['plain Yoga, HTTP, @auth', 'plain', 'auth'],
    ['full stack, HTTP, @auth', 'full', 'auth'],
  ];
  const only = process.env.BENCH_PROFILE_ONLY;
  for (const [name, kind, q] of only === 'gateway' ? [] : variants) {
    await cannon(call(kind, q), { connections: 16, durationS: 1 });
    const fromUs = us();
    const r = await cannon(call(kind, q), { connections: 16, durationS: seconds });
    windows.push({ name, fromUs, toUs: us(), requests: r.requests });
    process.stderr.write(`${name}: ${Math.round(r.rps)} req/s\n`);
  }
  // Scenario 7's pair: the downstream straight, and through the stitched gateway (same core).
  const gw = await gatewayFixture(world.services);
  if (gw) {
    try {
      for (const name of ['direct', 'gateway'] as const) {
        await cannon(gw.calls[name], { connections: 16, durationS: 1 });
        const fromUs = us();
        const r = await cannon(gw.calls[name], { connections: 16, durationS: seconds });
        windows.push({ name: `gateway scenario: ${name}`, fromUs, toUs: us(), requests: r.requests });
        process.stderr.write(`gateway scenario ${name}: ${Math.round(r.rps)} req/s\n`);
      }
    } finally {
      await gw.close();
    }
  }
  // The same two servers in-process (yoga.fetch, 32 in flight): the stack without node:http.
  const inProcess: [string, 'plain' | 'full', QueryName][] = [
    ['plain Yoga, in-process, @permission ×10', 'plain', 'perm10'],
    ['full stack, in-process, @permission ×10', 'full', 'perm10'],
    ['plain Yoga, in-process, @auth', 'plain', 'auth'],
    ['full stack, in-process, @auth', 'full', 'auth'],
  ];
  for (const [name, kind, q] of only === 'gateway' ? [] : inProcess) {
    await load(fx[kind], fx.initFor(q, fx.warm), { concurrency: 32, durationMs: 1000 });
    const fromUs = us();
    const r = await load(fx[kind], fx.initFor(q, fx.warm), { concurrency: 32, durationMs: seconds * 1000 });
    windows.push({ name, fromUs, toUs: us(), requests: r.requests });
    process.stderr.write(`${name}: ${Math.round(r.rps)} req/s\n`);
  }
  await writeFile(join(dir, 'windows.json'), `${JSON.stringify(windows, null, 2)}\n`);
} finally {
  await world.stop();
  await dropWorld(at).catch(() => {});
  await db.stop();
}
process.exit(0);
