import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Repeats `check` until it holds; resolves with the ms it took (measured from `since`, a
 * performance.now() stamp, when given). Rejects after `within` ms: every wait is bounded.
 */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  opts: { within: number; every?: number; since?: number },
): Promise<number> {
  const start = opts.since ?? performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > opts.within) throw new Error(`${what}: not within ${opts.within} ms`);
    await sleep(opts.every ?? 100);
  }
}

/** Percentile of a list of numbers (nearest rank); 0 for an empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (n: number) => Math.round(n);

/**
 * Live heap after a full garbage collection, in MB: the number that shows a leak (heapUsed between
 * collections mostly shows how lazily V8 collects). `gc` is exposed at run time, so no flag is needed.
 */
export function liveHeapMb(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10;
}

/** Resident set size sampled at an interval: the soak's "memory stays flat". */
export class RssSampler {
  readonly samples: { at: number; rss: number; heap: number }[] = [];
  #timer: NodeJS.Timeout | undefined;

  start(everyMs = 500): this {
    const take = () => {
      const m = process.memoryUsage();
      this.samples.push({ at: performance.now(), rss: m.rss, heap: m.heapUsed });
    };
    take();
    this.#timer = setInterval(take, everyMs);
    this.#timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Median RSS of the first and of the last third of the run (MB), and the peak. */
  summary(): {
    firstMb: number;
    lastMb: number;
    peakMb: number;
    growthMb: number;
    heapFirstMb: number;
    heapLastMb: number;
  } {
    const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
    const third = Math.max(1, Math.floor(this.samples.length / 3));
    const first = this.samples.slice(0, third);
    const last = this.samples.slice(-third);
    const med = (xs: number[]) => percentile(xs, 50);
    const firstRss = med(first.map((s) => s.rss));
    const lastRss = med(last.map((s) => s.rss));
    return {
      firstMb: mb(firstRss),
      lastMb: mb(lastRss),
      peakMb: mb(Math.max(...this.samples.map((s) => s.rss))),
      growthMb: mb(lastRss - firstRss),
      heapFirstMb: mb(med(first.map((s) => s.heap))),
      heapLastMb: mb(med(last.map((s) => s.heap))),
    };
  }
}

/** Collects unhandled promise rejections while a scenario runs: "no crash" includes none of those. */
export function watchUnhandled(): { list: unknown[]; stop(): void } {
  const list: unknown[] = [];
  const onRejection = (reason: unknown) => list.push(reason);
  process.on('unhandledRejection', onRejection);
  return { list, stop: () => process.off('unhandledRejection', onRejection) };
}
