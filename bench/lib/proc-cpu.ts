import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (ms, user + system) from /proc, by group: this process's main thread, libuv's pool
 * threads (argon2), its other threads (V8's GC and compiler helpers), and given processes with
 * their children (FerretDB; the postmaster and its backends). Linux only; elsewhere all zero.
 * A profile's samples stretch when the core is taken from the thread; these counters do not.
 */
const TICK_MS = 10; // USER_HZ is 100 on Linux

function ticks(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
}
const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // a thread or process that ended meanwhile
  }
};

/** `pid` and every process below it (the postmaster may run under a runner that dropped root). */
function familyOf(pid: number): number[] {
  const kids = new Map<number, number[]>();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const stat = read(`/proc/${p}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    kids.set(ppid, [...(kids.get(ppid) ?? []), Number(p)]);
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(kids.get(out[i]!) ?? []));
  return out;
}

export type CpuSnapshot = Record<string, number>;

export function cpuSnapshot(processes: Record<string, number | undefined>): CpuSnapshot {
  const snap: CpuSnapshot = { 'node main thread': 0, 'node libuv pool (argon2)': 0, 'node other threads': 0 };
  if (process.platform !== 'linux') return snap;
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = read(`/proc/self/task/${tid}/stat`);
    if (!stat) continue;
    const comm = read(`/proc/self/task/${tid}/comm`)?.trim();
    const key =
      Number(tid) === process.pid
        ? 'node main thread'
        : comm === 'libuv-worker'
          ? 'node libuv pool (argon2)'
          : 'node other threads';
    snap[key]! += ticks(stat) * TICK_MS;
  }
  for (const [name, pid] of Object.entries(processes)) {
    if (!pid) continue;
    snap[name] = 0;
    for (const p of familyOf(pid)) {
      const stat = read(`/proc/${p}/stat`);
      if (stat) snap[name]! += ticks(stat) * TICK_MS;
    }
  }
  return snap;
}

/** CPU ms per unit between two snapshots. */
export function cpuPer(before: CpuSnapshot, after: CpuSnapshot, units: number): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((k) => [k, ((after[k] ?? 0) - (before[k] ?? 0)) / units]));
}
