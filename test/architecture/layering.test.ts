import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../src/paths.js';
import { check, type ImportEdge, importsOf, unitCycles } from './check.js';
import { KNOWN_EXCEPTIONS, LAYERS, layerTableMarkdown } from './layers.js';

const root = projectRoot();

describe('architecture: the layers of src/', () => {
  it('every import goes down or sideways, into folders through index.ts, without cycles', () => {
    const edges = importsOf(root);
    assert.ok(edges.length > 300, `read ${edges.length} imports: the scan found the sources`);
    const problems = check(edges, KNOWN_EXCEPTIONS, root);
    assert.equal(
      problems.length,
      0,
      `${problems.length} layering problem(s) (rules: test/architecture/layers.ts, docs/architecture.md):\n${problems
        .map((p) => `- ${p.message}`)
        .join('\n')}`,
    );
  });

  it('docs/architecture.md shows the table as test/architecture/layers.ts has it', () => {
    const page = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
    assert.ok(page.includes(layerTableMarkdown()), `paste into docs/architecture.md:\n${layerTableMarkdown()}`);
  });

  it('the table names each unit once', () => {
    const units = LAYERS.flatMap((l) => l.units);
    assert.deepEqual(
      units.filter((u, i) => units.indexOf(u) !== i),
      [],
    );
  });

  it('the checker catches an upward import, a side door into a folder, and a cycle', () => {
    const edge = (from: string, to: string): ImportEdge => ({ from, to, specifier: to });
    const found = check(
      [
        edge('src/tokens/service.ts', 'src/graphql/context.ts'), // domain → surface, past index.ts
        edge('src/authz/engine.ts', 'src/identity/index.ts'),
        edge('src/identity/service.ts', 'src/authz/index.ts'), // authz ⇄ identity
      ],
      [],
      root,
    ).map((v) => v.message);
    assert.ok(
      found.some((m) => m.includes('src/tokens/service.ts') && m.includes('a higher layer')),
      found.join('\n'),
    );
    assert.ok(
      found.some((m) => m.includes('enter src/graphql/ through its index.ts')),
      found.join('\n'),
    );
    assert.ok(
      found.some((m) => m.includes('cycle: authz → identity → authz')),
      found.join('\n'),
    );
    assert.deepEqual(unitCycles([edge('src/core/a.ts', 'src/db/index.ts')]), []);
  });
});
