import { createRequire } from 'node:module';
import { finished } from './child.js';
import { CLIENT_CPU, spawnOn } from './cpu.js';
import type { HttpCall } from './http.js';

/** The second view: autocannon over real HTTP, in its own process pinned away from the servers. */
export interface CannonResult {
  rps: number;
  /** Latency percentiles, ms (autocannon's histogram has 1 ms resolution). */
  p50: number;
  p99: number;
  requests: number;
}

interface CannonJson {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const cli = createRequire(import.meta.url).resolve('autocannon');

export interface CannonOptions {
  connections: number;
  durationS: number;
  /** Cores for the autocannon process (default: the client core). */
  cpus?: string;
}

/** Runs autocannon against `call`; throws when any answer was not a 2xx (refusals are not throughput). */
export async function cannon(call: HttpCall, opts: CannonOptions): Promise<CannonResult> {
  const headers = Object.entries({ 'content-type': 'application/json', ...call.headers }).flatMap(([k, v]) => [
    '-H',
    `${k}=${v}`,
  ]);
  const args = [
    cli,
    '-j',
    '-n',
    '-c',
    String(opts.connections),
    '-d',
    String(opts.durationS),
    '-m',
    'POST',
    ...headers,
    '-b',
    call.body,
    call.url,
  ];
  const child = spawnOn(opts.cpus ?? CLIENT_CPU, process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const { code, out, err } = await finished(child);
  if (code !== 0) throw new Error(`autocannon exited with ${code}: ${err.slice(0, 500)}`);
  let r: CannonJson;
  try {
    r = JSON.parse(out.slice(out.indexOf('{'))) as CannonJson;
  } catch {
    throw new Error(`autocannon printed no JSON: ${out.slice(0, 300)} ${err.slice(0, 300)}`);
  }
  if (r.non2xx || r.errors || r.timeouts) {
    throw new Error(`autocannon: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts (${call.url})`);
  }
  return { rps: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total };
}
