/**
 * The layer table of src/ — the one place it is written down (docs/architecture.md describes it,
 * test/architecture/layering.test.ts enforces it). A unit is a top-level folder or file of src/.
 * A unit may import units of its own layer or below, never above; folders only through their
 * index.ts; and the units never form a cycle.
 */

export interface Layer {
  level: number;
  name: string;
  units: readonly string[];
  /** When set, what units of this layer may import besides their own files (for a narrow core). */
  only?: readonly string[];
}

export const LAYERS: readonly Layer[] = [
  { level: 0, name: 'ground', units: ['vocabulary', 'clock.ts', 'paths.ts'] },
  // src/core names infra's types (Database, Logger, Metrics) for every domain, so it sits on infra's floor.
  { level: 1, name: 'infra', units: ['db', 'embedded-db', 'observability', 'config', 'core'] },
  {
    level: 2,
    name: 'domains',
    units: ['tokens', 'identity', 'sessions', 'authz', 'ratelimit', 'audit', 'account'],
  },
  // The one enforcement core shared by the server's auth plugin and the library's useGatehouse.
  { level: 3, name: 'enforcement', units: ['enforcement'], only: ['vocabulary', 'tokens', 'clock.ts'] },
  { level: 3, name: 'flows', units: ['flows'] },
  { level: 4, name: 'surfaces', units: ['graphql', 'gateway', 'library'] },
  { level: 5, name: 'http', units: ['http'] },
  {
    level: 6,
    name: 'composition root',
    units: ['services.ts', 'gatehouse.ts', 'cli', 'docs', 'index.ts', 'plugin.ts'],
  },
];

/**
 * Known arrows that break the table, each to be removed by the change named. Keep this short:
 * an entry whose import no longer exists fails the test too, so the list only shrinks.
 */
export interface KnownException {
  from: string;
  /** The import's target file, resolved (src/…/x.ts). */
  to: string;
  why: string;
}

export const KNOWN_EXCEPTIONS: readonly KnownException[] = [];

const unitPath = (u: string) => (u.endsWith('.ts') ? `src/${u}` : `src/${u}/`);

/** The table as docs/architecture.md shows it (the layering test checks the page carries it verbatim). */
export function layerTableMarkdown(): string {
  const rows = LAYERS.map(
    (l) =>
      `| ${l.level} | ${l.name} | ${l.units.map((u) => `\`${unitPath(u)}\``).join(', ')} | ${
        l.only
          ? `only ${l.only.map((u) => `\`${unitPath(u)}\``).join(', ')}`
          : l.level === 0
            ? 'layer 0 only'
            : `layers 0–${l.level}`
      } |`,
  );
  return ['| Layer | Name | Units | May import |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
