import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../src/db/index.js';
import { runJsonChild } from '../lib/child.js';
import { SERVER_CPU } from '../lib/cpu.js';
import type { WorldAddress } from '../world/world.js';
import { type CpuProfile, type Marker, summarize } from './cpuprofile.js';

type Windows = Record<'plain' | 'gatehouse', { fromUs: number; toUs: number; requests: number }>;

/** Inclusive costs worth naming on the warm path. */
const MARKERS: Marker[] = [
  {
    name: 'generic-auth validation pass (extended-validation onExecute)',
    match: (f) => f.url.includes('@envelop/extended-validation') && f.functionName === 'handler',
  },
  { name: 'resolveCaller (token cache, revocation set)', match: (f) => f.functionName === 'resolveCaller' },
  { name: 'validateField (requirements + permission checks)', match: (f) => f.functionName === 'validateField' },
  {
    name: 'graphql execute',
    match: (f) => f.url.includes('graphql/execution/execute') && f.functionName === 'execute',
  },
  { name: 'context building (envelop)', match: (f) => f.functionName === 'contextFactory' },
];

/**
 * Profiles the warm @permission ×10 path in a child pinned to the server core (`node --cpu-prof`)
 * and returns a Markdown summary: µs per request by area for plain Yoga and Gatehouse, the
 * Gatehouse window's heaviest functions, and inclusive costs of the auth steps.
 */
export async function profileWarmPath(at: WorldAddress, ms: number, log: (m: string) => void): Promise<string> {
  const dir = join(projectRoot(), 'bench', 'results', 'profile');
  await rm(dir, { recursive: true, force: true });
  const windows = await runJsonChild<Windows>(
    SERVER_CPU,
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', dir, join(projectRoot(), 'dist', 'bench', 'profile.js')],
    { ...process.env, BENCH_WORLD: JSON.stringify(at), BENCH_PROFILE_MS: String(ms) },
    300_000,
  );
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile written');
  log(`profile: bench/results/profile/${file}`);
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
  const plain = summarize(profile, windows.plain, MARKERS);
  const gh = summarize(profile, windows.gatehouse, MARKERS);
  const per = (msTotal: number | undefined, requests: number) => ((msTotal ?? 0) * 1000) / requests;
  const fmt = (n: number) => n.toFixed(1);
  const areas = [...new Set([...plain.byArea.keys(), ...gh.byArea.keys()])]
    .map((a) => ({
      a,
      p: per(plain.byArea.get(a), windows.plain.requests),
      g: per(gh.byArea.get(a), windows.gatehouse.requests),
    }))
    .filter((x) => x.p >= 0.5 || x.g >= 0.5)
    .sort((x, y) => y.g - x.g);
  const top = [...gh.byFunction.entries()].sort((x, y) => y[1] - x[1]).slice(0, 15);
  const pReq = per(plain.sampledMs, windows.plain.requests);
  const gReq = per(gh.sampledMs, windows.gatehouse.requests);
  return [
    '## Profile: warm @permission ×10, in-process (`node --cpu-prof`)',
    '',
    `plain Yoga ${windows.plain.requests} requests, ${fmt(pReq)} µs CPU each; Gatehouse ${windows.gatehouse.requests} requests, ${fmt(gReq)} µs each ` +
      `(+${fmt(gReq - pReq)} µs, ${(pReq / gReq || 0).toFixed(2)}× by CPU). Profile: bench/results/profile/${file}.`,
    '',
    '| area (self time) | plain µs/req | Gatehouse µs/req | added |',
    '|---|---|---|---|',
    ...areas.map((x) => `| ${x.a} | ${fmt(x.p)} | ${fmt(x.g)} | ${fmt(x.g - x.p)} |`),
    '',
    '| inclusive, Gatehouse window | µs/req |',
    '|---|---|',
    ...MARKERS.map((m) => `| ${m.name} | ${fmt(per(gh.inclusive.get(m.name), windows.gatehouse.requests))} |`),
    '',
    '| heaviest functions (self), Gatehouse window | µs/req |',
    '|---|---|',
    ...top.map(([fn, t]) => `| \`${fn}\` | ${fmt(per(t, windows.gatehouse.requests))} |`),
    '',
  ].join('\n');
}
