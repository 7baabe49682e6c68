/**
 * A flame graph (SVG) and a self-time table from a V8 .cpuprofile, cut to the windows of
 * windows.json (profile-http.ts, profile.ts): no dependency, so it runs wherever the bench does.
 *
 *   node dist/bench/report/flamegraph.js DIR [WINDOW-SUBSTRING]
 *
 * writes DIR/flame-<n>.svg for each window (stacks merged by function and place, width = CPU
 * time, hover for µs per request) and DIR/summary.md (self time per area and per function, µs/req).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProfileWindow } from '../profile.js';
import { areaOf, type CpuProfile, summarize } from './cpuprofile.js';

interface Frame {
  name: string;
  area: string;
  ms: number;
  children: Map<string, Frame>;
}

const label = (f: CpuProfile['nodes'][number]['callFrame']) =>
  `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '')}:${f.lineNumber + 1}`;

/** Merged call tree of the samples inside `w` (idle and GC kept as their own roots). */
function tree(profile: CpuProfile, w: ProfileWindow): Frame {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const root: Frame = { name: 'all', area: '', ms: 0, children: new Map() };
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    if (t < w.fromUs || t > w.toUs) continue;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const stack: CpuProfile['nodes'][number][] = [];
    for (let cur: number | undefined = profile.samples[i]; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur)!;
      if (node.callFrame.functionName !== '(root)') stack.push(node);
    }
    if (stack.length === 1 && stack[0]!.callFrame.functionName === '(idle)') continue;
    root.ms += ms;
    let at = root;
    for (let k = stack.length - 1; k >= 0; k--) {
      const f = stack[k]!.callFrame;
      const key = label(f);
      let child = at.children.get(key);
      if (!child) {
        child = { name: key, area: areaOf(f), ms: 0, children: new Map() };
        at.children.set(key, child);
      }
      child.ms += ms;
      at = child;
    }
  }
  return root;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A stable warm colour per area, so one package reads as one colour across the graph. */
function colour(area: string): string {
  let h = 0;
  for (const c of area) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  if (area.startsWith('gatehouse')) return `hsl(${200 + (h % 40)},60%,65%)`;
  return `hsl(${h % 60},${70 + (h % 20)}%,${55 + (h % 15)}%)`;
}

function svg(root: Frame, title: string, requests: number): string {
  const width = 1600;
  const rowH = 16;
  const rects: string[] = [];
  let depth = 0;
  const walk = (f: Frame, x: number, d: number) => {
    const w = (f.ms / root.ms) * width;
    if (w < 0.3) return;
    depth = Math.max(depth, d);
    const perReq = ((f.ms * 1000) / requests).toFixed(1);
    const text = w > 40 ? esc(f.name).slice(0, Math.floor(w / 6.5)) : '';
    rects.push(
      `<g><title>${esc(f.name)} [${f.area}] ${perReq} µs/req (${((100 * f.ms) / root.ms).toFixed(1)} %)</title>` +
        `<rect x="${x.toFixed(1)}" y="${d * rowH + 30}" width="${w.toFixed(1)}" height="${rowH - 1}" fill="${colour(f.area)}"/>` +
        (text ? `<text x="${(x + 3).toFixed(1)}" y="${d * rowH + 42}">${text}</text>` : '') +
        '</g>',
    );
    let cx = x;
    for (const c of [...f.children.values()].sort((a, b) => b.ms - a.ms)) {
      walk(c, cx, d + 1);
      cx += (c.ms / root.ms) * width;
    }
  };
  walk(root, 0, 0);
  const height = (depth + 1) * rowH + 40;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">`,
    `<text x="4" y="18" font-size="14">${esc(title)}: ${((root.ms * 1000) / requests).toFixed(1)} µs CPU per request, ${requests} requests (root at top; hover for µs/req)</text>`,
    ...rects,
    '</svg>',
    '',
  ].join('\n');
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: flamegraph.js DIR [window substring]');
const pick = process.argv[3];
const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no .cpuprofile in ${dir}`);
const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
const windows = JSON.parse(await readFile(join(dir, 'windows.json'), 'utf8')) as ProfileWindow[];
const md: string[] = [`# CPU profile ${file}`, ''];
for (const [n, w] of windows.entries()) {
  if (pick && !w.name.includes(pick)) continue;
  const per = (ms: number) => ((ms * 1000) / w.requests).toFixed(1);
  await writeFile(join(dir, `flame-${n + 1}.svg`), svg(tree(profile, w), w.name, w.requests));
  const s = summarize(profile, w, []);
  const idle = s.byArea.get('(idle)') ?? 0;
  md.push(
    `## ${w.name} (flame-${n + 1}.svg)`,
    '',
    `${w.requests} requests; ${per(s.sampledMs - idle)} µs CPU per request (idle ${per(idle)}).`,
    '',
    '| area (self) | µs/req |',
    '|---|---:|',
    ...[...s.byArea.entries()]
      .filter(([a]) => a !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([a, ms]) => `| ${a} | ${per(ms)} |`),
    '',
    '| function (self) | µs/req |',
    '|---|---:|',
    ...[...s.byFunction.entries()]
      .filter(([f]) => !f.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([f, ms]) => `| \`${f}\` | ${per(ms)} |`),
    '',
  );
}
await writeFile(join(dir, 'summary.md'), md.join('\n'));
process.stdout.write(md.join('\n'));
