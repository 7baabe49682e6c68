/**
 * The one background loop of the readers that keep a database state in memory (the revocation
 * feed, the authorization engines, the signing keyring): a run every `intervalMs` counted from
 * the end of the previous one, never two runs at once, errors reported rather than thrown, and
 * a run on demand for callers that cannot wait for the next tick.
 */

/** Why a run happens: the timer, or a caller (`now()` / `next()`). */
export type PollTrigger = 'timer' | 'poke';

export interface PollerOptions {
  intervalMs: number;
  run(trigger: PollTrigger): Promise<void>;
  /**
   * Every failed run, timer or poke (a poke also rejects to its caller). `first`: the previous
   * run succeeded, so a component can log a failure once, not on every tick.
   */
  onError?(err: unknown, first: boolean, trigger: PollTrigger): void;
  /** The first successful run after failed ones. */
  onRecovered?(): void;
}

export interface Poller {
  /** Schedules the first timer run `intervalMs` from now (the caller does its own initial load); idempotent. */
  start(): void;
  /** No timer run after this; a run in flight finishes. */
  stop(): void;
  readonly started: boolean;
  /** A run is in flight. */
  readonly busy: boolean;
  /** Runs now, or joins the run in flight; rejects with its error. */
  now(): Promise<void>;
  /**
   * A run that begins after this call: one in flight may have read too early (before the
   * caller's own write), so it waits for that one; concurrent callers share the queued run.
   */
  next(): Promise<void>;
}

export function createPoller(opts: PollerOptions): Poller {
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let inflight: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let failing = false;

  const exec = (trigger: PollTrigger): Promise<void> => {
    const run = async () => {
      try {
        await opts.run(trigger);
      } catch (err) {
        const first = !failing;
        failing = true;
        opts.onError?.(err, first, trigger);
        throw err;
      }
      if (failing) {
        failing = false;
        opts.onRecovered?.();
      }
    };
    const p = run().finally(() => {
      inflight = undefined;
    });
    inflight = p;
    return p;
  };

  const now = () => inflight ?? exec('poke');

  const schedule = () => {
    if (!started || timer !== undefined) return; // stop/start while a run was in flight: one timer
    timer = setTimeout(() => {
      timer = undefined;
      (inflight ?? exec('timer'))
        .catch(() => {}) // reported through onError
        .finally(schedule);
    }, opts.intervalMs);
    timer.unref(); // background work never keeps the process alive
  };

  return {
    start() {
      if (started) return;
      started = true;
      schedule();
    },
    stop() {
      started = false;
      clearTimeout(timer);
      timer = undefined;
    },
    get started() {
      return started;
    },
    get busy() {
      return inflight !== undefined;
    },
    now,
    next() {
      if (!inflight) return exec('poke');
      queued ??= inflight
        .catch(() => {})
        .then(() => {
          queued = undefined;
          return now();
        });
      return queued;
    },
  };
}
