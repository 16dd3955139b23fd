// The delivery half of a scenario's measurement: wait until the daemon says every acked record
// is delivered or in the error output (that instant ends the CPU window), then check that claim
// against S3 itself: the delivered objects under the stream's prefix, the error output apart.
import { waitFor } from '../test/support/process.js';
import type { S3TestServer } from '../test/support/s3server.js';
import type { LoadgenResult } from './loadgen-protocol.js';
import type { ScenarioResult } from './results.js';
import { checkBucket, firstErrorRecord } from './s3-objects.js';
import { BUCKET, DELIVERED_PREFIX, type SluiceUnderTest, STREAM } from './sluice-daemon.js';
import { MiB, round } from './stats.js';

export type Delivered = NonNullable<ScenarioResult['delivered']>;

const LABELS = { stream: STREAM, destination: 's3' };

/**
 * Waits (at most `timeoutMs`) until sluice_delivery_records_total plus the records sent to the
 * error output reach the acked count (failed records never count as delivered, and waiting for
 * them would only run into the timeout), or until the daemon exits.
 */
export async function awaitDelivery(
  sluice: SluiceUnderTest,
  load: LoadgenResult,
  timeoutMs: number,
): Promise<{ delivered: Delivered; endMs: number; problems: string[] }> {
  const problems: string[] = [];
  const duringLoad = await sluice.metric('sluice_delivery_records_total', LABELS);
  const accounted = async (): Promise<number> =>
    (await sluice.metric('sluice_delivery_records_total', LABELS)) +
    (await sluice.metric('sluice_error_output_records_total', { stream: STREAM }));
  try {
    const outcome = await waitFor(
      async () => sluice.exited() ?? ((await accounted()) >= load.ackedRecords ? 'done' : undefined),
      { timeoutMs, intervalMs: 100, what: 'every acked record to be delivered (or in the error output)' },
    );
    if (outcome !== 'done') problems.push(outcome);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const endMs = Date.now();
  const records = sluice.exited() ? 0 : await sluice.metric('sluice_delivery_records_total', LABELS);
  const windowSeconds = (endMs - load.startedAtMs) / 1000;
  const bytesPerRecord = load.ackedRecords > 0 ? load.ackedRecordBytes / load.ackedRecords : 0;
  const delivered: Delivered = {
    records,
    recordsPerSec: Math.round(records / windowSeconds),
    mibPerSec: round((records * bytesPerRecord) / MiB / windowSeconds),
    windowSeconds: round(windowSeconds),
    drainSeconds: round((endMs - load.endedAtMs) / 1000),
    duringLoadRecordsPerSec: Math.round(duringLoad / ((load.endedAtMs - load.startedAtMs) / 1000)),
    objects: 0,
    objectMiB: 0,
    compressionRatio: 0,
    s3Records: 0,
    problems: [],
  };
  return { delivered, endMs, problems };
}

/** Reads the bucket back into `delivered`; returns what does not add up. */
export async function verifyDelivery(
  delivered: Delivered,
  s3: S3TestServer,
  sluice: SluiceUnderTest,
  load: LoadgenResult,
  markerColumn: string | undefined,
): Promise<string[]> {
  const check = await checkBucket(s3, BUCKET, DELIVERED_PREFIX, {
    records: load.ackedRecords,
    ackedSeqs: load.acks.map(([seq]) => seq),
    notAckedSeqs: load.notAcked,
    ...(markerColumn === undefined ? {} : { markerColumn }),
  });
  delivered.objects = check.objects;
  delivered.objectMiB = round(check.objectBytes / MiB);
  // Parquet is not decompressed to bytes: its ratio is record bytes (as acked) ÷ object bytes.
  const rawBytes =
    check.rawBytes > 0
      ? check.rawBytes
      : (check.lines / Math.max(1, load.ackedRecords)) * load.ackedRecordBytes;
  delivered.compressionRatio = check.objectBytes > 0 ? round(rawBytes / check.objectBytes) : 0;
  delivered.s3Records = check.lines;
  delivered.problems = check.problems;
  const errorKeys = (await s3.listKeys(BUCKET)).filter((key) => !key.startsWith(DELIVERED_PREFIX));
  if (errorKeys.length > 0) {
    const errorRecords = await sluice.metric('sluice_error_output_records_total', { stream: STREAM });
    delivered.problems.push(
      `${errorRecords} records went to the error output (${errorKeys.length} objects); the first: ` +
        `${await firstErrorRecord(s3, BUCKET, errorKeys)}`,
    );
  }
  if (!sluice.exited()) {
    const objectsMetric = await sluice.metric('sluice_delivery_success_total', { stream: STREAM });
    if (objectsMetric !== check.objects) {
      delivered.problems.push(`daemon reports ${objectsMetric} objects delivered, S3 lists ${check.objects}`);
    }
  }
  return delivered.problems;
}
