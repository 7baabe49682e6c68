/**
 * Summarizes a `profile-login` run: main-thread CPU ms per login by area, the heaviest functions
 * (self) and the heaviest frames counting what they call (inclusive). Usage:
 *
 *   node dist/bench/report/login-profile.js <dir with one .cpuprofile> '<window JSON>'
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CpuProfile, summarize } from './cpuprofile.js';

const [dir, windowJson] = process.argv.slice(2);
if (!dir || !windowJson) throw new Error('usage: login-profile <dir> <window JSON>');
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no .cpuprofile in ${dir}`);
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
const w = JSON.parse(windowJson) as { fromUs: number; toUs: number; requests: number; rps: number };
const s = summarize(profile, w, []);
const per = (ms: number) => (ms / w.requests).toFixed(3);
const idle = s.byArea.get('(idle)') ?? 0;
const out: string[] = [
  `${w.requests} logins, ${w.rps.toFixed(1)}/s; main thread busy ${per(s.sampledMs - idle)} ms/login (idle ${per(idle)})`,
  '',
  'by area (self, ms/login):',
  ...[...s.byArea.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([a, t]) => `  ${per(t).padStart(7)}  ${a}`),
  '',
  'heaviest functions (self, ms/login):',
  ...[...s.byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 40)
    .map(([f, t]) => `  ${per(t).padStart(7)}  ${f}`),
];

// Inclusive time per frame (function + place), each sample counted once per distinct frame.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map<string, number>();
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i]!;
  if (t < w.fromUs || t > w.toUs) continue;
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  const seen = new Set<string>();
  for (let cur: number | undefined = profile.samples[i]; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)!.callFrame;
    if (f.functionName === '(idle)' || f.functionName === '(root)') continue;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '')}:${f.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    incl.set(key, (incl.get(key) ?? 0) + dt);
  }
}
out.push(
  '',
  'heaviest frames (inclusive, ms/login):',
  ...[...incl.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(process.env.TOP ?? 80))
    .map(([f, v]) => `  ${per(v).padStart(7)}  ${f}`),
);
process.stdout.write(`${out.join('\n')}\n`);
