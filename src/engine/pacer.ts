/**
 * Pacing of the suite's own requests to a live target: request starts are
 * spaced at least 1000/rps ms apart within one process (each Playwright
 * worker and the runner have their own), so that the suite does not trip a
 * shared rate limit by itself. The opt-in rate-limit burst is not paced.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class Pacer {
  private next = 0;
  private readonly intervalMs: number;

  constructor(
    readonly requestsPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(requestsPerSecond > 0)) throw new Error(`requestsPerSecond must be positive, got ${requestsPerSecond}`);
    this.intervalMs = 1000 / requestsPerSecond;
  }

  /** Resolves when the caller may start its request (at once if the last one was long enough ago). */
  async wait(): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.next);
    this.next = slot + this.intervalMs;
    if (slot > now) await sleep(slot - now);
  }
}
