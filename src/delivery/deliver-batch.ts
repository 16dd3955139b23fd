// Delivers one batch: read its range from Redis page by page, run the stream's processing,
// partition if the prefix asks for it, encode, compress and stream each object to the
// destination; then write the error output (one object per kind of failure) and the source
// backup; then remove objects an earlier attempt wrote that this one did not; only then mark
// the batch done (which trims the stream). Any failure leaves the batch registered for a retry,
// and every key derives from the batch, so a retry replaces what it rewrites (DESIGN.md
// invariants 2, 4 and 5).
import type { Batch } from '../buffer/batch.js';
import type { DeliveryResult, ObjectDestination } from '../destinations/types.js';
import type { EncodeContext } from '../encoding/types.js';
import { failedOnce, type OutputRecord, type RecordFailure, readRecords } from '../processing/records.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { backupChunks } from './backup.js';
import { encodeFailures } from './error-output.js';
import { objectKey } from './object-key.js';
import type { StreamPipeline } from './pipeline.js';
import type { ErrorOutputType } from './prefix.js';
import { type WriteResult, writeObject } from './write-object.js';

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
  | { status: 'delivered'; keys: string[]; batch: Batch; failed: number }
  | { status: 'already-delivered' };

type Failed = Exclude<WriteResult, { status: 'written' } | { status: 'empty' }>;

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
  const written: string[] = [];
  let objectBytes = 0;

  const write = async (key: string, contentType: string, chunks: AsyncIterable<Buffer>): Promise<void> => {
    const result = await writeObject(pipe, destination, seq, key, contentType, chunks, signal);
    if (result.status === 'written') {
      written.push(key);
      objectBytes += result.bytes;
    } else if (result.status !== 'empty') {
      fail(result, key);
    }
  };
  const fail = (result: Failed, key: string): never => {
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
  };

  const failures: RecordFailure[] = [];
  const context: EncodeContext = {
    conversionFailed(record, errorCode, errorMessage) {
      failures.push(failedOnce('format-conversion-failed', record, errorCode, errorMessage));
    },
  };
  const records = pipe.processing.run(readRecords(pipe.buffer, batch), failures, signal);
  if (pipe.partitioner) {
    const partitions = await pipe.partitioner.group(records, failures);
    metrics.partitionsPerBatch.observe({ stream: pipe.stream }, partitions.length);
    for (const partition of partitions) {
      const first = partition.records[0] as OutputRecord;
      const key = objectKey({
        prefix: pipe.prefix,
        batch,
        extension: pipe.extension,
        partition: { id: partition.id, keys: partition.keys, firstArrivalMs: first.arrivalMs },
      });
      await write(key, pipe.contentType, pipe.encoder.encode(single(partition.records), context));
    }
  } else {
    const key = objectKey({ prefix: pipe.prefix, batch, extension: pipe.extension });
    await write(key, pipe.contentType, pipe.encoder.encode(records, context));
  }

  for (const [type, ofType] of groupByType(failures)) {
    const key = objectKey({
      prefix: pipe.errorPrefix,
      batch,
      extension: pipe.compressor.extension,
      variant: type,
    });
    const chunks = encodeFailures(pipe.buffer, batch, ofType, pipe.processing.transform?.name);
    await write(key, pipe.compressor.contentType ?? 'application/x-ndjson', chunks);
    metrics.errorOutputRecords.inc({ stream: pipe.stream, type }, ofType.length);
  }

  const backup = pipe.config.backup;
  if (backup && pipe.backupPrefix && (backup.mode === 'all' || failures.length > 0)) {
    const only = backup.mode === 'all' ? undefined : new Set(failures.map((f) => f.recordId));
    const key = objectKey({
      prefix: pipe.backupPrefix,
      batch,
      extension: pipe.compressor.extension,
      variant: 'backup',
    });
    await write(
      key,
      pipe.compressor.contentType ?? 'application/x-ndjson',
      backupChunks(pipe.buffer, batch, only),
    );
  }

  await removeStaleObjects(pipe, destination, seq, written, signal, fail);
  await pipe.buffer.complete(seq);
  metrics.deliverySuccess.inc(labels);
  metrics.deliveryRecords.inc(labels, batch.records - failures.length);
  metrics.deliveryBytes.inc(labels, batch.bytes);
  metrics.deliveryObjectBytes.inc(labels, objectBytes);
  metrics.deliveryDuration.observe(labels, (performance.now() - started) / 1000);
  log.debug('Batch delivered.', {
    stream: pipe.stream,
    batch: seq,
    keys: written,
    records: batch.records,
    failed: failures.length,
  });
  return { status: 'delivered', keys: written, batch, failed: failures.length };
}

async function* single(records: OutputRecord[]): AsyncGenerator<OutputRecord[]> {
  yield records;
}

function groupByType(failures: readonly RecordFailure[]): Map<ErrorOutputType, RecordFailure[]> {
  const groups = new Map<ErrorOutputType, RecordFailure[]>();
  for (const failure of failures) {
    const group = groups.get(failure.type);
    if (group) group.push(failure);
    else groups.set(failure.type, [failure]);
  }
  return groups;
}

/**
 * An earlier attempt of this batch may have written objects this one did not (a record that
 * failed then and succeeded now, or the reverse). Left in place, their records would land twice.
 */
async function removeStaleObjects(
  pipe: StreamPipeline,
  destination: ObjectDestination,
  seq: number,
  written: string[],
  signal: AbortSignal,
  fail: (result: Failed, key: string) => never,
): Promise<void> {
  const keep = new Set(written);
  for (const stale of await pipe.buffer.writtenKeys(seq)) {
    if (keep.has(stale)) continue;
    const result = await destination.delete(stale, signal);
    if (result.status !== 'delivered') fail(result, stale);
  }
}
