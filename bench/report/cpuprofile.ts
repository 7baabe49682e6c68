/** Reading a V8 .cpuprofile (what `node --cpu-prof` writes): self and inclusive time per area and per function. */
export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** Where a frame's code lives: an npm package, a Gatehouse folder, the harness, Node, or V8. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : 'native';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const [a, b] = url.slice(nm + 13).split('/');
    return a?.startsWith('@') ? `${a}/${b}` : (a ?? 'node_modules');
  }
  const src = /\/dist\/(src|bench)\/([^/]+)/.exec(url);
  if (src) return src[1] === 'bench' ? 'bench harness' : `gatehouse ${src[2]!.replace(/\.js$/, '')}`;
  if (url.startsWith('node:')) return 'node internals';
  return 'other';
}

const where = (f: CallFrame) =>
  `${f.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '')}:${f.lineNumber + 1}`;

export interface Window {
  /** Microseconds on the profile's clock (the monotonic clock: process.hrtime). */
  fromUs: number;
  toUs: number;
}

export interface Summary {
  sampledMs: number;
  byArea: Map<string, number>;
  byFunction: Map<string, number>;
  /** Inclusive time under frames matching each marker. */
  inclusive: Map<string, number>;
  /** With `{ frames: true }`: inclusive time per frame (function + place), each sample once per distinct frame. */
  byFrame: Map<string, number>;
}

export interface Marker {
  name: string;
  match(frame: CallFrame): boolean;
}

/** Time (ms) per area, per function (self) and under each marker (inclusive), for samples inside `window`. */
export function summarize(
  profile: CpuProfile,
  window: Window,
  markers: readonly Marker[],
  opts: { frames?: boolean } = {},
): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    if (t < window.fromUs || t > window.toUs) continue;
    // A sample's duration is the gap to the next one.
    const next = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + next / 1000);
  }
  const out: Summary = {
    sampledMs: 0,
    byArea: new Map(),
    byFunction: new Map(),
    inclusive: new Map(),
    byFrame: new Map(),
  };
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    out.sampledMs += ms;
    add(out.byArea, areaOf(node.callFrame), ms);
    add(out.byFunction, `${node.callFrame.functionName || '(anonymous)'} ${where(node.callFrame)}`, ms);
    const hit = new Set<string>();
    const frames = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      for (const m of markers) if (!hit.has(m.name) && m.match(frame)) hit.add(m.name);
      if (opts.frames && frame.functionName !== '(idle)' && frame.functionName !== '(root)')
        frames.add(`${frame.functionName || '(anonymous)'} ${where(frame)}`);
    }
    for (const name of hit) add(out.inclusive, name, ms);
    for (const key of frames) add(out.byFrame, key, ms);
  }
  return out;
}
