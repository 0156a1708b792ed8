/** The simulated clock: starts at `startTime` and moves only when told to (advanceClock). */
import { FloeError } from '../../errors.js';

export class SimClock {
  private ms: number;
  constructor(startMs: number) {
    this.ms = startMs;
  }
  nowMs(): number {
    return this.ms;
  }
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new FloeError(
        'config-invalid',
        `advanceClock(ms) needs a finite, non-negative number of milliseconds, got ${ms}`,
      );
    }
    this.ms += ms;
  }
}
