/** Order statistics over samples. Benchmarks report medians with their spread, never means (the machine is noisy). */

/** The q-quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics; NaN for no samples. */
export function quantile(samples: ArrayLike<number>, q: number): number {
  const n = samples.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const pos = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export const median = (samples: ArrayLike<number>) => quantile(samples, 0.5);

/** A median with the range it was picked from. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spreadOf(samples: readonly number[]): Spread {
  return {
    median: median(samples),
    min: samples.length ? Math.min(...samples) : Number.NaN,
    max: samples.length ? Math.max(...samples) : Number.NaN,
    n: samples.length,
  };
}

/** Element-wise a[i] / b[i]: per-round ratios, each against the baseline of the same round. */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`ratio of ${a.length} samples over ${b.length}`);
  return a.map((x, i) => x / b[i]!);
}

/** Element-wise a[i] − b[i]. */
export function differences(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`difference of ${a.length} samples and ${b.length}`);
  return a.map((x, i) => x - b[i]!);
}
