// Hand-written, not p-limit / p-queue / async-sema: none bounds both the queue length and the wait and fails fast (BusyError), which overload shedding needs.
/** Too much password work is queued: the caller should answer "busy, retry" (SERVICE_UNAVAILABLE). */
export class BusyError extends Error {
  override name = 'BusyError';
}

export interface SemaphoreOptions {
  /** Operations running at once. */
  concurrency: number;
  /** How long a caller may wait for a slot before BusyError. */
  maxWaitMs: number;
  /** Callers allowed to wait at once; beyond it BusyError at once (fail fast). */
  maxQueue: number;
}

interface Waiter {
  grant(): void;
  timer: NodeJS.Timeout;
}

/** A counting semaphore with a bounded queue and a bounded wait. */
export class Semaphore {
  #active = 0;
  readonly #queue: Waiter[] = [];
  constructor(readonly options: SemaphoreOptions) {}

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#active < this.options.concurrency) {
      this.#active++;
      return Promise.resolve();
    }
    if (this.#queue.length >= this.options.maxQueue)
      return Promise.reject(new BusyError('Too many password checks queued'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          this.#queue.splice(this.#queue.indexOf(waiter), 1);
          reject(new BusyError('Timed out waiting for a password-hashing slot'));
        }, this.options.maxWaitMs),
      };
      this.#queue.push(waiter);
    });
  }

  #release(): void {
    const next = this.#queue.shift();
    if (!next) {
      this.#active--;
      return;
    }
    clearTimeout(next.timer);
    next.grant(); // the slot passes straight to the next waiter
  }
}
