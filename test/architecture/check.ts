/**
 * Reads every import specifier of src/**\/*.ts (static, `export … from` and dynamic, via the
 * TypeScript scanner) and reports what breaks the layer table: an import upwards, a folder
 * entered other than through its index.ts, a folder without index.ts, a cycle between units.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { type KnownException, LAYERS, type Layer } from './layers.js';

export interface ImportEdge {
  /** Both relative to the project root, with forward slashes. */
  from: string;
  to: string;
  specifier: string;
}

export interface Violation {
  edge?: ImportEdge;
  message: string;
}

const posix = (p: string) => p.split(sep).join('/');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** `./x.js` → the .ts file it compiles from (or the index.ts of a directory). */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined; // a package
  const base = resolve(dirname(fromFile), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Every relative import of the .ts files under `srcDir`. */
export function importsOf(root: string, srcDir = join(root, 'src')): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of tsFiles(srcDir)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      const target = resolveSpecifier(file, fileName);
      if (target === undefined) {
        if (fileName.startsWith('.')) edges.push({ from: posix(relative(root, file)), to: '?', specifier: fileName });
        continue;
      }
      edges.push({ from: posix(relative(root, file)), to: posix(relative(root, target)), specifier: fileName });
    }
  }
  return edges;
}

/** `src/authz/engine.ts` → `authz`; `src/clock.ts` → `clock.ts`. */
export const unitOf = (path: string): string => path.split('/')[1]!;

const layerOf = new Map<string, Layer>(LAYERS.flatMap((l) => l.units.map((u) => [u, l] as const)));
const describe = (unit: string) => {
  const l = layerOf.get(unit);
  return l ? `${unit} (layer ${l.level}, ${l.name})` : unit;
};

/**
 * The folder `to` is entered through, seen from `from`: the first directory below their common
 * ancestor on the target's side. Undefined when the target is in `from`'s own folder (or above).
 */
function enteredFolder(from: string, to: string): string | undefined {
  const a = from.split('/');
  const b = to.split('/');
  let i = 0;
  while (i < a.length - 1 && i < b.length - 1 && a[i] === b[i]) i++;
  return i < b.length - 1 ? b.slice(0, i + 1).join('/') : undefined;
}

const sameEdge = (e: ImportEdge, k: KnownException) => e.from === k.from && e.to === k.to;

/** Everything wrong with `edges`, less the known exceptions (stale exceptions are reported too). */
export function check(edges: readonly ImportEdge[], known: readonly KnownException[], root: string): Violation[] {
  const out: Violation[] = [];
  const used = new Set<KnownException>();
  const excused = (e: ImportEdge) => {
    const k = known.find((x) => sameEdge(e, x));
    if (k) used.add(k);
    return k !== undefined;
  };
  const at = (e: ImportEdge) => `${e.from} imports '${e.specifier}' (${e.to})`;

  for (const e of edges) {
    if (e.to === '?') {
      out.push({ edge: e, message: `${e.from} imports '${e.specifier}', which resolves to no file` });
      continue;
    }
    if (!e.to.startsWith('src/')) {
      out.push({ edge: e, message: `${at(e)}: src/ imports nothing outside src/` });
      continue;
    }
    const [u, v] = [unitOf(e.from), unitOf(e.to)];
    const folder = enteredFolder(e.from, e.to);
    if (folder !== undefined && e.to !== `${folder}/index.ts` && !excused(e)) {
      out.push({ edge: e, message: `${at(e)}: enter ${folder}/ through its index.ts` });
    }
    if (u === v) continue;
    const [lu, lv] = [layerOf.get(u), layerOf.get(v)];
    if (!lu || !lv) {
      const missing = lu ? v : u;
      out.push({ edge: e, message: `${at(e)}: ${missing} is in no layer of test/architecture/layers.ts` });
      continue;
    }
    if (lv.level > lu.level && !excused(e)) {
      out.push({ edge: e, message: `${at(e)}: ${describe(u)} may not import ${describe(v)}, a higher layer` });
    } else if (lu.only && !lu.only.includes(v) && !excused(e)) {
      out.push({ edge: e, message: `${at(e)}: ${describe(u)} imports only ${lu.only.join(', ')}` });
    }
  }

  for (const k of known) {
    if (!used.has(k)) {
      out.push({ message: `known exception ${k.from} → ${k.to} no longer happens: remove it from KNOWN_EXCEPTIONS` });
    }
  }

  for (const dir of folders(join(root, 'src'))) {
    if (!existsSync(join(dir, 'index.ts'))) {
      out.push({ message: `${posix(relative(root, dir))}/ has no index.ts: give every folder one` });
    }
  }

  // A known exception is already reported as such: it does not also count towards a cycle.
  const counted = edges.filter((e) => !known.some((k) => sameEdge(e, k)));
  for (const cycle of unitCycles(counted)) {
    const arrows = cycle.map((u, i) => {
      const v = cycle[(i + 1) % cycle.length]!;
      const e = counted.find((x) => unitOf(x.from) === u && x.to.startsWith('src/') && unitOf(x.to) === v)!;
      return `  ${e.from} imports '${e.specifier}'`;
    });
    out.push({ message: `units form a cycle: ${[...cycle, cycle[0]].join(' → ')}\n${arrows.join('\n')}` });
  }
  return out;
}

function folders(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(e.parentPath, e.name))
    .filter((d) => tsFiles(d).length > 0)
    .sort();
}

/** The cycles of the unit graph (one per strongly connected component of two or more units). */
export function unitCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.to === '?' || !e.to.startsWith('src/')) continue;
    const [u, v] = [unitOf(e.from), unitOf(e.to)];
    if (u === v) continue;
    if (!graph.has(u)) graph.set(u, new Set());
    graph.get(u)!.add(v);
  }
  // Tarjan's algorithm; the graph has a few dozen nodes.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sccs: string[][] = [];
  let next = 0;
  const visit = (u: string) => {
    index.set(u, next);
    low.set(u, next++);
    stack.push(u);
    onStack.add(u);
    for (const v of graph.get(u) ?? []) {
      if (!index.has(v)) {
        visit(v);
        low.set(u, Math.min(low.get(u)!, low.get(v)!));
      } else if (onStack.has(v)) low.set(u, Math.min(low.get(u)!, index.get(v)!));
    }
    if (low.get(u) === index.get(u)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== u);
      if (scc.length > 1) sccs.push(scc.sort());
    }
  };
  for (const u of [...graph.keys()].sort()) if (!index.has(u)) visit(u);
  // Name one concrete loop per component: follow arrows inside it from its first unit.
  return sccs.map((scc) => loopIn(scc, graph));
}

function loopIn(scc: string[], graph: Map<string, Set<string>>): string[] {
  const inside = new Set(scc);
  const start = scc[0]!;
  // Breadth-first from start back to start, inside the component: the shortest loop through it.
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const u = queue.shift()!;
    for (const v of [...(graph.get(u) ?? [])].sort()) {
      if (!inside.has(v)) continue;
      if (v === start) {
        const path = [u];
        while (path[0] !== start) path.unshift(prev.get(path[0]!)!);
        return path;
      }
      if (!prev.has(v)) {
        prev.set(v, u);
        queue.push(v);
      }
    }
  }
  return scc;
}
