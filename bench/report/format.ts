import type { Row, Target } from './rows.js';

/** A number as the table shows it, by unit. */
export function formatValue(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '—';
  switch (unit) {
    case '×':
      return `${value.toFixed(2)}×`;
    case 'ms':
      return `${value.toFixed(Math.abs(value) < 10 ? 3 : 1)} ms`;
    case 'ns':
      return `${value.toFixed(0)} ns`;
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case 'req/s':
    case '/s':
      return `${value.toLocaleString('en', { maximumFractionDigits: value < 100 ? 1 : 0 })} ${unit}`;
    default:
      return `${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`.trim();
  }
}

export function formatTarget(target: Target | undefined, unit: string): string {
  if (!target) return '';
  return `${target.op === '>=' ? '≥' : '≤'} ${formatValue(target.bound, unit)}`;
}

export function formatSpread(r: Row): string {
  if (!r.spread) return '';
  return `${formatValue(r.spread.min, r.unit)} – ${formatValue(r.spread.max, r.unit)} (n=${r.spread.n})`;
}

export const HEADER = ['Scenario', 'Metric', 'Median', 'Spread (min – max)', 'Target', 'Status'] as const;

export function cells(r: Row): string[] {
  return [
    r.scenario,
    r.metric,
    formatValue(r.value, r.unit),
    formatSpread(r),
    formatTarget(r.target, r.unit),
    r.status,
  ];
}
