// PutRecord: one record, one stream entry. Answers `{RecordId, Encrypted}`; a full backlog
// refuses the request with ServiceUnavailableException ("Slow down."), which SDKs retry.
import { SluiceError } from '../../errors.js';
import type { OperationHandler } from './context.js';
import { FirehoseError, SLOW_DOWN } from './errors.js';
import { checkStream, packEncodedRecords, type RecordPlace, readRecordData } from './records.js';
import { optionalObject, streamNameMember, Violations } from './validate.js';

const PLACE: RecordPlace = { path: () => 'record.data', name: () => 'Record' };

export const putRecord: OperationHandler = async (ctx, caller, input, call) => {
  const violations = new Violations();
  const stream = streamNameMember(input, 'DeliveryStreamName', 'deliveryStreamName', violations, true);
  const record = optionalObject(input, 'Record');
  if (record === undefined) violations.notNull('record');
  const records = readRecordData(record ? [record] : [], PLACE, ctx.maxRecordBytes, violations);
  violations.check();
  checkStream(ctx, caller, stream as string, 'PutRecord', call);
  call.records = 1;
  call.bytes = records.bytes;
  const packed = packEncodedRecords(records, PLACE);
  try {
    const result = await ctx.ingestor.ingestPacked(stream as string, packed, 1, records.bytes);
    return { RecordId: result.recordIds[0], Encrypted: false };
  } catch (error) {
    if (error instanceof SluiceError && error.code === 'BacklogFull') {
      throw new FirehoseError('ServiceUnavailableException', SLOW_DOWN);
    }
    throw error;
  }
};
