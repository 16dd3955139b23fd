// Delivers one batch: read its range from Redis page by page, encode, compress, hand the
// stream of bytes to the destination, and only when the destination has it, mark the batch
// done (which trims the stream). Any failure leaves the batch registered for a retry, and the
// retry writes the same key (DESIGN.md invariants 4 and 5).
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import type { Batch } from '../buffer/batch.js';
import type { DeliveryResult, ObjectDestination } from '../destinations/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { objectKey } from './object-key.js';
import type { StreamPipeline } from './pipeline.js';

/** Thrown so the job queue retries the batch later; `permanent` failures need an operator. */
export class DeliveryFailed extends Error {
  constructor(
    readonly result: Exclude<DeliveryResult, { status: 'delivered' }>,
    message: string,
  ) {
    super(message);
    this.name = 'DeliveryFailed';
  }
}

export type DeliveryOutcome =
  | { status: 'delivered'; key: string; batch: Batch }
  | { status: 'already-delivered' };

export async function deliverBatch(
  pipe: StreamPipeline,
  seq: number,
  signal: AbortSignal,
  metrics: Metrics,
  log: Logger,
): Promise<DeliveryOutcome> {
  const batch = await pipe.buffer.getBatch(seq);
  if (!batch) return { status: 'already-delivered' };
  const destination = pipe.destination;
  if (destination.kind !== 'object') {
    throw new Error(
      `destination type ${destination.type} takes records; no such destination is registered yet`,
    );
  }
  const labels = { stream: pipe.stream, destination: destination.type };
  const started = performance.now();
  const key = objectKey({
    prefix: pipe.prefix,
    batch,
    extension: pipe.encoder.extension + pipe.compressor.extension,
  });
  const counter = new ByteCounter();
  const source = Readable.from(pipe.encoder.encode(pipe.buffer.readBatch(batch)));
  pipeline(source, pipe.compressor.stream(), counter, () => {
    // Errors reach the destination through `counter`, which pipeline destroys with them.
  });
  const result = await putObject(destination, key, counter, pipe, signal);
  if (result.status !== 'delivered') {
    metrics.deliveryFailures.inc({ ...labels, reason: result.status });
    const reason = 'reason' in result ? result.reason : 'partial delivery';
    log.warn('Batch delivery failed; it stays buffered and will be retried.', {
      stream: pipe.stream,
      batch: seq,
      key,
      status: result.status,
      reason,
    });
    throw new DeliveryFailed(result, `batch ${pipe.stream} #${seq}: ${reason}`);
  }
  await pipe.buffer.complete(seq);
  metrics.deliverySuccess.inc(labels);
  metrics.deliveryRecords.inc(labels, batch.records);
  metrics.deliveryBytes.inc(labels, batch.bytes);
  metrics.deliveryObjectBytes.inc(labels, counter.bytes);
  metrics.deliveryDuration.observe(labels, (performance.now() - started) / 1000);
  log.debug('Batch delivered.', {
    stream: pipe.stream,
    batch: seq,
    key,
    records: batch.records,
    bytes: counter.bytes,
  });
  return { status: 'delivered', key, batch };
}

async function putObject(
  destination: ObjectDestination,
  key: string,
  body: ByteCounter,
  pipe: StreamPipeline,
  signal: AbortSignal,
): Promise<DeliveryResult> {
  try {
    return await destination.put(
      { key, body, contentType: pipe.compressor.contentType ?? pipe.encoder.contentType },
      signal,
    );
  } catch (error) {
    // A destination should classify its own failures; anything it let escape is retried.
    body.destroy();
    return { status: 'retry', reason: `unexpected error: ${(error as Error).message}` };
  }
}

class ByteCounter extends Transform {
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}
