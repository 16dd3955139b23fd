// PutRecordBatch: up to 500 records, at most ingest.maxRequestBytes (4 MiB) of them, as one
// stream entry (DESIGN.md section 3). Answers HTTP 200 with `FailedPutCount` and a
// `RequestResponses` entry per record, in request order.
//
// What counts toward the 4 MiB: the records' data after base64 decoding, as Firehose's limit
// reads ("each record ... up to 1,000 KB before base64 encoding, up to a limit of 4 MB for
// the entire request"; its answer when exceeded: "Records size exceeds 4 MB limit",
// osquery/osquery#3568). The JSON body is therefore larger, about 4/3 of that.
//
// Because a batch is one entry, it is stored whole or not at all: when the stream's backlog is
// full, every record of the batch fails with ServiceUnavailableException / "Slow down." (the
// per-record shape Firehose uses for throttling), and clients that retry their failed records
// resend the whole batch.
import { SluiceError } from '../../errors.js';
import type { OperationHandler } from './context.js';
import { FirehoseError, SLOW_DOWN } from './errors.js';
import { checkStream, packEncodedRecords, type RecordPlace, readRecordData } from './records.js';
import { optionalArray, streamNameMember, Violations } from './validate.js';

/** Firehose's fixed limit on records per PutRecordBatch (the model's list bound). */
export const MAX_BATCH_RECORDS = 500;

const PLACE: RecordPlace = {
  path: (index) => `records.${index + 1}.member.data`,
  name: (index) => `Records[${index}]`,
};

export const putRecordBatch: OperationHandler = async (ctx, caller, input, call) => {
  const violations = new Violations();
  const stream = streamNameMember(input, 'DeliveryStreamName', 'deliveryStreamName', violations, true);
  const list = optionalArray(input, 'Records');
  if (list === undefined) violations.notNull('records');
  else if (list.length === 0) {
    violations.add('records', '[]', 'Member must have length greater than or equal to 1');
  } else if (list.length > MAX_BATCH_RECORDS) {
    violations.add(
      'records',
      undefined,
      `Member must have length less than or equal to ${MAX_BATCH_RECORDS}`,
    );
  }
  // Records are read only when the list is acceptable, so a 100,000-record body costs nothing.
  const acceptable = list !== undefined && list.length >= 1 && list.length <= MAX_BATCH_RECORDS;
  const records = readRecordData(acceptable ? list : [], PLACE, ctx.maxRecordBytes, violations);
  violations.check();
  if (records.bytes > ctx.maxBatchBytes) {
    throw new FirehoseError(
      'InvalidArgumentException',
      `Records size exceeds ${sizeText(ctx.maxBatchBytes)} limit`,
    );
  }
  checkStream(ctx, caller, stream as string, 'PutRecordBatch', call);
  const count = records.encoded.length;
  call.records = count;
  call.bytes = records.bytes;
  const packed = packEncodedRecords(records, PLACE);
  try {
    const result = await ctx.ingestor.ingestPacked(stream as string, packed, count, records.bytes);
    return {
      FailedPutCount: 0,
      Encrypted: false,
      RequestResponses: result.recordIds.map((RecordId) => ({ RecordId })),
    };
  } catch (error) {
    if (!(error instanceof SluiceError && error.code === 'BacklogFull')) throw error;
    const failed = { ErrorCode: 'ServiceUnavailableException', ErrorMessage: SLOW_DOWN };
    return {
      FailedPutCount: count,
      Encrypted: false,
      RequestResponses: Array.from({ length: count }, () => failed),
    };
  }
};

/** "4 MB" for Firehose's 4 MiB (its message says MB), else the exact byte count. */
function sizeText(bytes: number): string {
  const MiB = 1024 * 1024;
  return bytes % MiB === 0 ? `${bytes / MiB} MB` : `${bytes} bytes`;
}
