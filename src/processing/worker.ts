// The delivery worker: a BullMQ worker whose jobs are batches. Each job delivers its batch
// through the stream's pipeline; a failure throws, and BullMQ retries it after the stream's
// backoff. A crashed worker's job is taken up again once its lock expires (workers.lockSeconds).
import { type Job, Worker } from 'bullmq';
import type { DeliveryJob } from '../batching/scheduler.js';
import { DELIVERY_QUEUE, queuePrefix } from '../buffer/keys.js';
import { backoffDelayMs } from '../delivery/backoff.js';
import { DeliveryFailed, deliverBatch } from '../delivery/deliver-batch.js';
import type { StreamPipeline } from '../delivery/pipeline.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';

export interface DeliveryWorkerOptions {
  redisUrl: string;
  keyPrefix: string;
  concurrency: number;
  lockSeconds: number;
}

export class DeliveryWorker {
  private worker: Worker<DeliveryJob> | undefined;
  /** Aborts deliveries still running when a graceful stop runs out of time. */
  private readonly abort = new AbortController();

  constructor(
    private readonly pipelines: ReadonlyMap<string, StreamPipeline>,
    private readonly options: DeliveryWorkerOptions,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.worker = new Worker<DeliveryJob>(
      DELIVERY_QUEUE,
      (job, _token, signal) => this.process(job, signal),
      {
        connection: { url: this.options.redisUrl, maxRetriesPerRequest: null },
        prefix: queuePrefix(this.options.keyPrefix),
        concurrency: this.options.concurrency,
        lockDuration: this.options.lockSeconds * 1000,
        stalledInterval: this.options.lockSeconds * 1000,
        // A job whose worker died is taken up again; past this count BullMQ fails it and the
        // reconciler revives it, so the batch is never abandoned either way.
        maxStalledCount: 10,
        settings: {
          backoffStrategy: (attemptsMade, _type, error, job) => this.backoff(attemptsMade, error, job?.data),
        },
      },
    );
    this.worker.on('error', (error) => this.log.warn('Delivery worker connection error.', { error }));
  }

  /** Finishes the batches in flight, waiting at most `timeoutMs`, then abandons the rest to Redis. */
  async stop(timeoutMs: number): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([worker.close(), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.log.warn('In-flight batches did not finish in time; they stay buffered for the next start.');
      this.abort.abort();
      await worker.close(true);
    }
  }

  private async process(job: Job<DeliveryJob>, signal: AbortSignal | undefined): Promise<void> {
    const { stream, seq } = job.data;
    const pipe = this.pipelines.get(stream);
    if (!pipe) {
      // The stream was removed from the config while batches were open: keep them for a config
      // that has it again rather than dropping them.
      throw new DeliveryFailed(
        { status: 'permanent', reason: `stream "${stream}" is not configured` },
        `batch ${stream} #${seq}: stream "${stream}" is not configured on this worker`,
      );
    }
    const signals = signal ? AbortSignal.any([signal, this.abort.signal]) : this.abort.signal;
    await deliverBatch(pipe, seq, signals, this.metrics, this.log);
  }

  private backoff(attemptsMade: number, error: Error | undefined, job: DeliveryJob | undefined): number {
    const pipe = job ? this.pipelines.get(job.stream) : undefined;
    const policy = pipe?.config.retry ?? { initialBackoffSeconds: 1, maxBackoffSeconds: 60 };
    const delay = backoffDelayMs(policy, attemptsMade);
    const hinted =
      error instanceof DeliveryFailed && error.result.status === 'retry' ? error.result.afterMs : undefined;
    return Math.max(delay, hinted ?? 0);
  }
}
