import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { runJsonChild } from '../lib/child.js';
import { SERVER_CPU } from '../lib/cpu.js';
import type { ProfileWindow } from '../profile.js';
import type { WorldAddress } from '../world/world.js';
import { type CpuProfile, type Marker, summarize } from './cpuprofile.js';

/** Inclusive costs worth naming on the auth path. */
const MARKERS: Marker[] = [
  {
    name: 'generic-auth validation pass (extended-validation)',
    match: (f) => f.url.includes('@envelop/extended-validation') && f.functionName === 'handler',
  },
  {
    name: 'enforcement core check (plan + validateField)',
    match: (f) => f.functionName === 'passes' && f.url.includes('enforcement/engine'),
  },
  { name: 'validateField (requirements, permission checks)', match: (f) => f.functionName === 'validateField' },
  { name: 'resolveCaller (token, revocation set)', match: (f) => f.functionName === 'resolveCaller' },
  { name: 'token verification, first sight (verifyOwnToken)', match: (f) => f.functionName === 'verifyOwnToken' },
  {
    name: 'execution (@graphql-tools/executor)',
    match: (f) => f.url.includes('@graphql-tools/executor') && f.functionName === 'execute',
  },
];

/** Inclusive costs of a first-sight request, step by step (scenario 2). */
const FIRST_SIGHT_MARKERS: Marker[] = [
  ...MARKERS,
  {
    name: 'signature check (signatureValid: crypto.verify / HMAC)',
    match: (f) => f.functionName === 'signatureValid' && f.url.includes('tokens/local-verify'),
  },
  {
    name: 'header and claims decoding (jsonPart: base64url, UTF-8, JSON.parse)',
    match: (f) => f.functionName === 'jsonPart' && f.url.includes('tokens/local-verify'),
  },
  {
    name: 'token cache (VerifiedTokenCache get + set)',
    match: (f) => f.url.includes('tokens/cache') && (f.functionName === 'get' || f.functionName === 'set'),
  },
  { name: 'claims to VerifiedToken (toVerified)', match: (f) => f.functionName === 'toVerified' },
  {
    name: 'token service verify (cache + verifyOwnToken)',
    match: (f) => f.url.includes('tokens/service') && f.functionName === 'verify',
  },
  { name: 'garbage collection', match: (f) => f.functionName === '(garbage collector)' },
];

export type ProfileSet = 'auth' | 'first-sight';

/**
 * Profiles the auth-tax paths in a child pinned to the server core (`node --cpu-prof`) and returns
 * a Markdown summary: CPU µs per request by area for each window, inclusive costs of the auth
 * steps, and the heaviest functions of the warm Gatehouse window.
 */
export async function profileAuthPaths(
  at: WorldAddress,
  ms: number,
  log: (m: string) => void,
  set: ProfileSet = 'auth',
): Promise<string> {
  const folder = set === 'auth' ? 'profile' : 'profile-first-sight';
  const dir = join(projectRoot(), 'bench', 'results', folder);
  const markers = set === 'auth' ? MARKERS : FIRST_SIGHT_MARKERS;
  await rm(dir, { recursive: true, force: true });
  const windows = await runJsonChild<ProfileWindow[]>(
    SERVER_CPU,
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', dir, join(projectRoot(), 'dist', 'bench', 'profile.js')],
    { ...process.env, BENCH_WORLD: JSON.stringify(at), BENCH_PROFILE_MS: String(ms), BENCH_PROFILE_SET: set },
    300_000,
  );
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile written');
  log(`profile: bench/results/${folder}/${file}`);
  await writeFile(join(dir, 'windows.json'), `${JSON.stringify(windows, null, 2)}\n`);
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
  const sums = windows.map((w) => ({ w, s: summarize(profile, w, markers) }));
  const per = (msTotal: number | undefined, requests: number) => ((msTotal ?? 0) * 1000) / requests;
  const fmt = (n: number) => n.toFixed(1);
  const areas = [...new Set(sums.flatMap(({ s }) => [...s.byArea.keys()]))]
    .map((a) => ({ a, v: sums.map(({ w, s }) => per(s.byArea.get(a), w.requests)) }))
    .filter((x) => x.v.some((v) => v >= 1))
    .sort((x, y) => Math.max(...y.v) - Math.max(...x.v));
  const cols = sums.map(({ w }) => w.name);
  const head = (first: string) => [`| ${first} | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`];
  const heaviest = ({ w, s }: (typeof sums)[number]) => [
    '',
    `| heaviest functions (self), ${w.name} | µs/req | share |`,
    '|---|---:|---:|',
    ...[...s.byFunction.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 10)
      .map(([fn, t]) => `| \`${fn}\` | ${fmt(per(t, w.requests))} | ${((100 * t) / s.sampledMs).toFixed(0)} % |`),
  ];
  return [
    '## Profile: where the CPU goes per request (`node --cpu-prof`, in-process, server core)',
    '',
    `Profile file: bench/results/${folder}/${file}. Sampled CPU µs per request; "(idle)" is time the core waited.`,
    '',
    ...head('CPU µs / request'),
    `| **total (sampled, without idle)** | ${sums.map(({ w, s }) => `**${fmt(per(s.sampledMs - (s.byArea.get('(idle)') ?? 0), w.requests))}**`).join(' | ')} |`,
    `| requests in window | ${sums.map(({ w }) => w.requests).join(' | ')} |`,
    ...markers.map(
      (m) =>
        `| ${m.name} (inclusive) | ${sums.map(({ w, s }) => fmt(per(s.inclusive.get(m.name), w.requests))).join(' | ')} |`,
    ),
    ...areas.map((x) => `| ${x.a} (self) | ${x.v.map(fmt).join(' | ')} |`),
    ...sums.slice(1).flatMap(heaviest),
    '',
  ].join('\n');
}
