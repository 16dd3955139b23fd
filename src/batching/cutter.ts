// The time trigger: closes a stream's pending records into a batch once the oldest has waited
// the buffer interval (the size trigger fires inside the ingest script itself). Every daemon
// may run a cutter; the cut is one atomic script, so two cutters never cut the same records.
// It also runs the reconciler now and then.
import type { StreamBuffer } from '../buffer/stream-buffer.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { BatchScheduler } from './scheduler.js';

export interface CutterStream {
  buffer: StreamBuffer;
  intervalMs: number;
}

/** The longest a stream goes unchecked: bounds how late a time cut can be (and interval 0's latency). */
const IDLE_POLL_MS = 100;
const RECONCILE_EVERY_MS = 5_000;

export class Cutter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly nextCheck = new Map<string, number>();
  private lastReconcile = 0;

  constructor(
    private readonly streams: CutterStream[],
    private readonly scheduler: BatchScheduler,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) => this.log.warn('Cutter pass failed; retrying.', { error }))
        .then(() => this.schedule(this.sleepMs()));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    for (const { buffer, intervalMs } of this.streams) {
      if ((this.nextCheck.get(buffer.stream) ?? 0) > now) continue;
      const { cutSeq, waitMs } = await buffer.cutDue(intervalMs);
      if (cutSeq > 0) {
        this.metrics.batchesCut.inc({ stream: buffer.stream, trigger: 'time' });
        await this.scheduler.enqueue(buffer.stream, cutSeq);
      }
      const wait = waitMs > 0 ? waitMs : IDLE_POLL_MS;
      this.nextCheck.set(buffer.stream, now + Math.min(wait, IDLE_POLL_MS));
    }
    if (now - this.lastReconcile >= RECONCILE_EVERY_MS) {
      this.lastReconcile = now;
      const fixed = await this.scheduler.reconcile(this.streams.map((s) => s.buffer));
      if (fixed > 0) this.log.info('Re-enqueued batches that had no delivery job.', { batches: fixed });
    }
  }

  private sleepMs(): number {
    const now = Date.now();
    let soonest = now + IDLE_POLL_MS;
    for (const at of this.nextCheck.values()) soonest = Math.min(soonest, at);
    return Math.max(10, soonest - now);
  }
}
