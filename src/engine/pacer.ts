/**
 * Pacing of the suite's own requests to a live target: request starts are
 * spaced at least 1000/rps ms apart within one process (each Playwright
 * worker and the runner have their own), so that the suite does not trip a
 * shared rate limit by itself. The opt-in rate-limit burst is not paced.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class Pacer {
  /** When the last request actually started. */
  private last = -Infinity;
  /** Callers take their turn one after another, so spacing is measured from real start times. */
  private queue: Promise<void> = Promise.resolve();
  private readonly intervalMs: number;

  constructor(
    readonly requestsPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(requestsPerSecond > 0)) throw new Error(`requestsPerSecond must be positive, got ${requestsPerSecond}`);
    this.intervalMs = 1000 / requestsPerSecond;
  }

  /**
   * Resolves when the caller may start its request: at once if the last one
   * started long enough ago. A late wake-up (a busy machine) delays the next
   * turn instead of shortening the gap after it.
   */
  wait(): Promise<void> {
    const turn = this.queue.then(async () => {
      // Timers can wake a fraction of a millisecond before the clock says
      // the interval has passed: sleep again until it really has.
      for (let left = this.last + this.intervalMs - this.now(); left > 0; left = this.last + this.intervalMs - this.now()) {
        await sleep(Math.ceil(left));
      }
      this.last = this.now();
    });
    this.queue = turn;
    return turn;
  }
}
