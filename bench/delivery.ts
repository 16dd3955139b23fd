// The delivery half of a scenario's measurement: wait until the daemon says every acked record
// is delivered (that instant ends the CPU window), then check that claim against S3 itself.
import { waitFor } from '../test/support/process.js';
import type { S3TestServer } from '../test/support/s3server.js';
import type { LoadgenResult } from './loadgen-protocol.js';
import type { ScenarioResult } from './results.js';
import { checkBucket } from './s3-objects.js';
import { BUCKET, type SluiceUnderTest, STREAM } from './sluice-daemon.js';
import { MiB, round } from './stats.js';

export type Delivered = NonNullable<ScenarioResult['delivered']>;

const LABELS = { stream: STREAM, destination: 's3' };

/** Waits (at most `timeoutMs`) for sluice_delivery_records_total to reach the acked count. */
export async function awaitDelivery(
  sluice: SluiceUnderTest,
  load: LoadgenResult,
  timeoutMs: number,
): Promise<{ delivered: Delivered; endMs: number; problems: string[] }> {
  const problems: string[] = [];
  const duringLoad = await sluice.metric('sluice_delivery_records_total', LABELS);
  try {
    await waitFor(
      async () => (await sluice.metric('sluice_delivery_records_total', LABELS)) >= load.ackedRecords,
      { timeoutMs, intervalMs: 100, what: 'every acked record to be delivered' },
    );
  } catch (error) {
    problems.push((error as Error).message);
  }
  const endMs = Date.now();
  const records = await sluice.metric('sluice_delivery_records_total', LABELS);
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
): Promise<string[]> {
  const check = await checkBucket(s3, BUCKET, {
    records: load.ackedRecords,
    ackedSeqs: load.acks.map(([seq]) => seq),
    notAckedSeqs: load.notAcked,
  });
  delivered.objects = check.objects;
  delivered.objectMiB = round(check.objectBytes / MiB);
  delivered.compressionRatio = check.objectBytes > 0 ? round(check.rawBytes / check.objectBytes) : 0;
  delivered.s3Records = check.lines;
  delivered.problems = check.problems;
  const objectsMetric = await sluice.metric('sluice_delivery_success_total', { stream: STREAM });
  if (objectsMetric !== check.objects) {
    delivered.problems.push(`daemon reports ${objectsMetric} objects delivered, S3 lists ${check.objects}`);
  }
  return delivered.problems;
}
