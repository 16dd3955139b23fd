// Hands cut batches to the delivery workers as BullMQ jobs, one job per batch, with the job ID
// derived from (stream, sequence) so adding the same batch twice is a no-op. The reconciler
// re-adds any registered batch that has no live job (a crash between the cut and the enqueue,
// or a job BullMQ gave up on), so nothing registered is ever forgotten (DESIGN.md invariant 3).
import { Queue } from 'bullmq';
import { DELIVERY_QUEUE, queuePrefix } from '../buffer/keys.js';
import type { StreamBuffer } from '../buffer/stream-buffer.js';
import type { Logger } from '../telemetry/logger.js';

export interface DeliveryJob {
  stream: string;
  seq: number;
}

export const BACKOFF_TYPE = 'sluice';

/** `#` because BullMQ reserves `:` in custom job IDs; stream names cannot contain `#`. */
export function deliveryJobId(stream: string, seq: number): string {
  return `${stream}#${seq}`;
}

export class BatchScheduler {
  private readonly queue: Queue<DeliveryJob>;
  private closed = false;

  constructor(
    redisUrl: string,
    keyPrefix: string,
    private readonly log: Logger,
  ) {
    this.queue = new Queue<DeliveryJob>(DELIVERY_QUEUE, {
      connection: { url: redisUrl, maxRetriesPerRequest: null },
      prefix: queuePrefix(keyPrefix),
    });
    this.queue.on('error', (error) => this.log.warn('Job queue connection error.', { error }));
  }

  async enqueue(stream: string, seq: number): Promise<void> {
    await this.queue.add(
      'deliver',
      { stream, seq },
      {
        jobId: deliveryJobId(stream, seq),
        // A batch is retried until delivered: the backlog limit, not a retry count, bounds it.
        attempts: Number.MAX_SAFE_INTEGER,
        backoff: { type: BACKOFF_TYPE },
        removeOnComplete: true,
        removeOnFail: false,
      },
    );
  }

  /** Ensures every open batch of these streams has a live job. Returns how many it (re)added. */
  async reconcile(buffers: Iterable<StreamBuffer>): Promise<number> {
    let fixed = 0;
    for (const buffer of buffers) {
      for (const seq of await buffer.openBatchSeqs()) {
        const id = deliveryJobId(buffer.stream, seq);
        const state = await this.queue.getJobState(id);
        if (state === 'unknown') {
          // Its job may have completed (and been removed) since the open batches were read.
          if (!(await buffer.isOpen(seq))) continue;
          await this.enqueue(buffer.stream, seq);
          fixed += 1;
        } else if (state === 'failed') {
          const job = await this.queue.getJob(id);
          await job?.retry('failed');
          fixed += 1;
        }
      }
    }
    return fixed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.close();
  }
}
