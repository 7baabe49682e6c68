/** Time as the domain sees it; tests and benchmarks may shift it instead of sleeping. */
export interface Clock {
  now(): Date;
  /** Milliseconds since the epoch. */
  ms(): number;
}

export const systemClock: Clock = { now: () => new Date(), ms: () => Date.now() };

/** A clock offset from real time by a settable amount (Keycloak-style time travel in tests). */
export class OffsetClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(this.ms());
  }
  ms(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
