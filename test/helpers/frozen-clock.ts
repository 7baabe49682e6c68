import { OffsetClock } from '../../src/clock.js';

/** Time that moves only when told to (`advance`), so windows and locks can be hit to the millisecond. */
export class FrozenClock extends OffsetClock {
  readonly base = Date.now();
  override ms(): number {
    return this.base + this.offsetMs;
  }
}
