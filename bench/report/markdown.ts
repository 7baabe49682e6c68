import { cells, HEADER } from './format.js';
import type { Row } from './rows.js';

const escapePipes = (s: string) => s.replaceAll('|', '\\|');

/** The results as a Markdown table (notes in their own column) with a heading that says where they come from. */
export function markdown(rows: readonly Row[], heading: string[]): string {
  const lines = [
    ...heading,
    '',
    `| ${[...HEADER, 'Note'].join(' | ')} |`,
    `|${[...HEADER, 'Note'].map(() => '---').join('|')}|`,
  ];
  for (const r of rows) lines.push(`| ${[...cells(r), r.note ?? ''].map(escapePipes).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

/** The same table for a terminal: aligned columns, no notes. */
export function consoleTable(rows: readonly Row[]): string {
  const all = [[...HEADER], ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  const line = (l: string[]) =>
    l.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(all[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}
