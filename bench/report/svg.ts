import { formatTarget, formatValue } from './format.js';
import type { Row } from './rows.js';

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * A horizontal bar chart of every ratio row with a target: the bar is the median, the whisker the
 * spread over rounds, the tick the target; green when met, red when not.
 */
export function ratioChart(rows: readonly Row[], title: string): string {
  const bars = rows.filter((r) => r.unit === '×' && r.target && r.value !== null);
  const label = 330;
  const plot = 460;
  const right = 150;
  const rowH = 26;
  const top = 48;
  const width = label + plot + right;
  const height = top + bars.length * rowH + 34;
  const max = Math.max(2, ...bars.flatMap((r) => [r.value!, r.spread?.max ?? 0, r.target!.bound])) * 1.05;
  const x = (v: number) => label + (Math.max(0, v) / max) * plot;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600">${esc(title)}</text>`,
    `<text x="12" y="38" fill="#555">bar: median of the rounds · whisker: min–max · tick: target</text>`,
  ];
  for (let v = 0; v <= max; v += 0.25) {
    const gx = x(v).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${top + bars.length * rowH}" stroke="${v % 1 === 0 ? '#bbb' : '#eee'}"/>`,
    );
    if (v % 0.5 === 0)
      parts.push(`<text x="${gx}" y="${top + bars.length * rowH + 16}" text-anchor="middle" fill="#555">${v}×</text>`);
  }
  bars.forEach((r, i) => {
    const y = top + i * rowH;
    const colour = r.status === 'met' ? '#2e8540' : '#c0392b';
    parts.push(
      `<text x="${label - 8}" y="${y + 17}" text-anchor="end">${esc(`${r.scenario.split('.')[0]}. ${r.metric}`.slice(0, 58))}</text>`,
      `<rect x="${label}" y="${y + 5}" width="${(x(r.value!) - label).toFixed(1)}" height="${rowH - 10}" fill="${colour}" opacity="0.8"/>`,
    );
    if (r.spread) {
      const y0 = y + rowH / 2;
      parts.push(
        `<line x1="${x(r.spread.min).toFixed(1)}" y1="${y0}" x2="${x(r.spread.max).toFixed(1)}" y2="${y0}" stroke="#222"/>`,
      );
    }
    const tx = x(r.target!.bound).toFixed(1);
    parts.push(
      `<line x1="${tx}" y1="${y + 2}" x2="${tx}" y2="${y + rowH - 2}" stroke="#111" stroke-width="2"/>`,
      `<text x="${label + plot + 8}" y="${y + 17}">${esc(`${formatValue(r.value, r.unit)} (${formatTarget(r.target, r.unit)}) ${r.status}`)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
