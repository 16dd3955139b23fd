// The error output: records that failed, one JSON line each with Firehose's fields for their
// kind. processing-failed and partitioning-failed: attemptsMade, arrivalTimestamp, errorCode,
// errorMessage, attemptEndingTimestamp, rawData and lambdaArn (here the transform's name,
// module#handler, as there is no Lambda). format-conversion-failed uses Firehose's
// lastErrorCode / lastErrorMessage instead. Each line also carries the recordId.
// rawData is the record as it was put, read again from the buffer (so failures cost memory
// only for their reasons), except for conversion and partitioning failures, whose rawData is
// the record as it reached that stage (after the transform), which is what failed.
import type { Batch } from '../buffer/batch.js';
import type { StreamBuffer } from '../buffer/stream-buffer.js';
import type { RecordFailure } from '../processing/records.js';
import { readRecords } from '../processing/records.js';

export async function* encodeFailures(
  buffer: StreamBuffer,
  batch: Batch,
  failures: readonly RecordFailure[],
  transformName: string | undefined,
): AsyncGenerator<Buffer> {
  const withData = failures.filter((failure) => failure.data !== undefined);
  if (withData.length > 0) {
    yield Buffer.from(withData.map((f) => line(f, f.data as Buffer, transformName)).join(''));
  }
  const byId = new Map(failures.filter((f) => f.data === undefined).map((f) => [f.recordId, f]));
  if (byId.size === 0) return;
  for await (const page of readRecords(buffer, batch)) {
    let text = '';
    for (const record of page) {
      const failure = byId.get(record.recordId);
      if (failure) text += line(failure, record.data, transformName);
    }
    if (text !== '') yield Buffer.from(text);
  }
}

function line(failure: RecordFailure, data: Buffer, transformName: string | undefined): string {
  const common = {
    attemptsMade: failure.attemptsMade,
    arrivalTimestamp: failure.arrivalMs,
  };
  const reason =
    failure.type === 'format-conversion-failed'
      ? { lastErrorCode: failure.errorCode, lastErrorMessage: failure.errorMessage }
      : { errorCode: failure.errorCode, errorMessage: failure.errorMessage };
  const document = {
    ...common,
    ...reason,
    attemptEndingTimestamp: failure.attemptEndingMs,
    rawData: data.toString('base64'),
    ...(transformName ? { lambdaArn: transformName } : {}),
    recordId: failure.recordId,
  };
  return `${JSON.stringify(document)}\n`;
}
