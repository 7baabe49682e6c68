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
const s = summarize(profile, w, [], { frames: true });
const per = (ms: number) => (ms / w.requests).toFixed(3);
const idle = s.byArea.get('(idle)') ?? 0;
/** The `n` largest entries of `m`, a line each. */
const top = (m: Map<string, number>, n: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, t]) => `  ${per(t).padStart(7)}  ${k}`);
const out: string[] = [
  `${w.requests} logins, ${w.rps.toFixed(1)}/s; main thread busy ${per(s.sampledMs - idle)} ms/login (idle ${per(idle)})`,
  '',
  'by area (self, ms/login):',
  ...top(s.byArea, 25),
  '',
  'heaviest functions (self, ms/login):',
  ...top(s.byFunction, 40),
  '',
  'heaviest frames (inclusive, ms/login):',
  ...top(s.byFrame, Number(process.env.TOP ?? 80)),
];
process.stdout.write(`${out.join('\n')}\n`);
