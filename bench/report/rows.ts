import { type Spread, spreadOf } from '../lib/stats.js';

/** One line of the results table. */
export type Status = 'met' | 'not met' | 'info' | 'skipped';

export interface Target {
  op: '>=' | '<=';
  bound: number;
}

export interface Row {
  scenario: string;
  metric: string;
  /** The median over rounds (or the single measurement); null when skipped. */
  value: number | null;
  unit: string;
  spread?: Spread;
  /** Per-round values the median was taken from (in the JSON only). */
  samples?: number[];
  target?: Target;
  status: Status;
  note?: string;
}

export const atLeast = (bound: number): Target => ({ op: '>=', bound });
export const atMost = (bound: number): Target => ({ op: '<=', bound });

function judge(value: number, target: Target | undefined): Status {
  if (!target) return 'info';
  if (!Number.isFinite(value)) return 'not met';
  return (target.op === '>=' ? value >= target.bound : value <= target.bound) ? 'met' : 'not met';
}

/** A row from per-round samples (median and spread) or from one measurement. */
export function row(
  scenario: string,
  metric: string,
  samples: number | readonly number[],
  unit: string,
  target?: Target,
  note?: string,
): Row {
  const list = typeof samples === 'number' ? [samples] : [...samples];
  const spread = list.length > 1 ? spreadOf(list) : undefined;
  const value = spread ? spread.median : list[0]!;
  return {
    scenario,
    metric,
    value,
    unit,
    ...(spread ? { spread, samples: list } : {}),
    ...(target ? { target } : {}),
    status: judge(value, target),
    ...(note ? { note } : {}),
  };
}

export function skipped(scenario: string, metric: string, why: string, target?: Target): Row {
  return { scenario, metric, value: null, unit: '', ...(target ? { target } : {}), status: 'skipped', note: why };
}
