// How often something that died may be started again: past a number of deaths within a
// minute, restarting does not help and whoever owns it should stop instead. The supervisor
// uses it for its processes, a process for its delivery thread.

const WINDOW_MS = 60_000;

export class RestartBudget {
  private readonly deaths: number[] = [];

  constructor(private readonly perMinute: number) {}

  /** Counts a death; false once more than `perMinute` happened within the last minute. */
  allows(now = Date.now()): boolean {
    this.deaths.push(now);
    while ((this.deaths[0] ?? now) < now - WINDOW_MS) this.deaths.shift();
    return this.deaths.length <= this.perMinute;
  }

  /** Deaths within the last minute, as of the last call to allows(). */
  get recent(): number {
    return this.deaths.length;
  }
}
