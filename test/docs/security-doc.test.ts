/**
 * docs/security.md cites tests by path and title; this keeps those citations true: a renamed or
 * removed test, a moved file or a dropped checklist row fails here instead of leaving the
 * security status document quietly wrong.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { projectRoot } from '../../src/paths.js';

const root = projectRoot();
const ROWS = Array.from({ length: 67 }, (_, i) => `SEC-${String(i + 1).padStart(2, '0')}`);
const STATUSES = /^(met|partly|not met|n\/a)\b/;
const ROUND_2_HEADING = '## Security round 2 (issue 14)';

/** A cited test: `test/….test.ts`, optionally followed by › "its title". */
const CITATION = /`(test\/[\w./-]+\.test\.ts)`(?:\s*›\s*"([^"]+)")?/g;
const SOURCE_FILE = /`(src\/[\w./-]+\.ts)`/g;

/** The cells of a Markdown table row (the row's own `|` only; the document has no escaped pipes). */
const cells = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim());

/** True when `title` is a whole string literal in `source` (quoted the same way on both sides). */
function isLiteralIn(source: string, title: string): boolean {
  for (let at = source.indexOf(title); at !== -1; at = source.indexOf(title, at + 1)) {
    const open = source[at - 1];
    if ((open === "'" || open === '"' || open === '`') && source[at + title.length] === open) return true;
  }
  return false;
}

describe('docs/security.md', () => {
  let doc: string;
  let checklist: string;
  let round2: string;
  const sources = new Map<string, string>();
  const sourceOf = async (path: string) => {
    let text = sources.get(path);
    if (text === undefined) {
      text = await readFile(join(root, path), 'utf8');
      sources.set(path, text);
    }
    return text;
  };

  before(async () => {
    doc = await readFile(join(root, 'docs', 'security.md'), 'utf8');
    const split = doc.indexOf(ROUND_2_HEADING);
    assert.ok(split > 0, `no "${ROUND_2_HEADING}" section`);
    checklist = doc.slice(0, split);
    round2 = doc.slice(split);
  });

  const secRows = () =>
    checklist
      .split('\n')
      .filter((l) => /^\|\s*SEC-\d+\s*\|/.test(l))
      .map(cells);

  it('has one table row for every checklist row SEC-01 … SEC-67, each with a status and tests or "not tested"', () => {
    const rows = secRows();
    const ids = rows.map((r) => r[0]!);
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    assert.deepEqual(
      ROWS.filter((id) => counts.get(id) !== 1).map((id) => `${id} × ${counts.get(id) ?? 0}`),
      [],
    );
    assert.deepEqual(
      ids.filter((id) => !ROWS.includes(id)),
      [],
      'rows outside SEC-01 … SEC-67',
    );
    for (const row of rows) {
      assert.equal(row.length, 5, `${row[0]}: ${row.length} cells`);
      const [id, requirement, status, , tests] = row as [string, string, string, string, string];
      assert.ok(requirement.length > 0, `${id}: no requirement`);
      assert.match(status, STATUSES, `${id}: status "${status.slice(0, 30)}"`);
      const cited = [...tests.matchAll(CITATION)].length;
      assert.ok(cited > 0 || tests === 'not tested', `${id}: tests "${tests.slice(0, 40)}"`);
      if (status.startsWith('met')) assert.ok(cited > 0, `${id}: met, yet no test`);
    }
  });

  it('every cited test file exists and every quoted title is a string literal in that file', async () => {
    const citations = [...doc.matchAll(CITATION)];
    assert.ok(citations.length >= 100, `only ${citations.length} citations found`);
    const missingFiles = new Set<string>();
    const missingTitles: string[] = [];
    for (const [, path, title] of citations) {
      if (!existsSync(join(root, path!))) {
        missingFiles.add(path!);
        continue;
      }
      if (title !== undefined && !isLiteralIn(await sourceOf(path!), title)) missingTitles.push(`${path} › "${title}"`);
    }
    assert.deepEqual([...missingFiles], [], 'cited test files that do not exist');
    assert.deepEqual(missingTitles, [], 'quoted titles not found in their file');
  });

  it('every source file named as "where enforced" exists', () => {
    const missing = [...new Set([...doc.matchAll(SOURCE_FILE)].map((m) => m[1]!))].filter(
      (p) => !existsSync(join(root, p)),
    );
    assert.deepEqual(missing, []);
  });

  it('lists round-2 items 1 … 12 once each, and every item that is done is referenced from a SEC row', () => {
    const items = round2
      .split('\n')
      .filter((l) => /^\|\s*\d+\s*\|/.test(l))
      .map(cells);
    assert.deepEqual(
      items.map((r) => Number(r[0])),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    const referenced = new Set([...checklist.matchAll(/\bR2-(\d+)\b/g)].map((m) => Number(m[1])));
    for (const [n, , status, , tests] of items as [string, string, string, string, string][]) {
      if (status.startsWith('in progress')) {
        assert.equal(tests, '—', `item ${n} is in progress: no tests to name yet`);
        continue;
      }
      assert.match(status, /^done\b/, `item ${n}: status "${status}"`);
      assert.ok([...tests.matchAll(CITATION)].length > 0, `item ${n}: no test cited`);
      assert.ok(referenced.has(Number(n)), `item ${n} is referenced from no SEC row (R2-${n})`);
    }
  });
});
