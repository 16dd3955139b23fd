// What PutRecord and PutRecordBatch share: reading the base64 `Data` of each record with its
// size limit, the stream checks (may this key use it, does it exist), and decoding the records
// straight into the packed stream entry (packing.ts), refusing text that is not base64.
import { base64DecodedLength, packBase64Records } from '../../buffer/packing.js';
import { type Caller, mayUse } from '../auth/keys.js';
import type { ApiCall, FirehoseContext, Operation } from './context.js';
import { streamArn } from './context.js';
import { FirehoseError, validationError } from './errors.js';
import { isObject, optionalString, type Violations } from './validate.js';

export interface EncodedRecords {
  /** The base64 text of each record's Data. */
  encoded: string[];
  /** What each decodes to, in bytes. */
  lengths: number[];
  /** Their sum: the bytes that count toward the batch limit and the metrics. */
  bytes: number;
}

/** Where record `index` is, in the words of validation messages and of type errors. */
export interface RecordPlace {
  path(index: number): string;
  name(index: number): string;
}

const NOT_BASE64 = 'Member must be base64-encoded (RFC 4648 standard alphabet, with padding)';

/** Reads each record's Data; missing data, bad lengths and oversized records go to `violations`. */
export function readRecordData(
  records: readonly unknown[],
  place: RecordPlace,
  maxRecordBytes: number,
  violations: Violations,
): EncodedRecords {
  const encoded = new Array<string>(records.length);
  const lengths = new Array<number>(records.length);
  let bytes = 0;
  for (let i = 0; i < records.length; i += 1) {
    const record = records[i];
    if (!isObject(record)) {
      throw new FirehoseError('SerializationException', `${place.name(i)} must be a JSON object.`);
    }
    const data = optionalString(record, 'Data', `${place.name(i)}.Data`);
    encoded[i] = data ?? '';
    lengths[i] = 0;
    if (data === undefined) {
      violations.notNull(place.path(i));
      continue;
    }
    const length = base64DecodedLength(data);
    if (length < 0) {
      violations.add(place.path(i), undefined, NOT_BASE64);
      continue;
    }
    if (length > maxRecordBytes) {
      violations.add(
        place.path(i),
        undefined,
        `Member must have length less than or equal to ${maxRecordBytes}`,
      );
    }
    lengths[i] = length;
    bytes += length;
  }
  return { encoded, lengths, bytes };
}

/** Decodes the records into one packed entry; text that is not canonical base64 is refused. */
export function packEncodedRecords(records: EncodedRecords, place: RecordPlace): Buffer {
  const packed = packBase64Records(records.encoded, records.lengths, records.bytes);
  if (packed.payload === undefined) {
    throw validationError([
      `Value at '${place.path(packed.invalid)}' failed to satisfy constraint: ${NOT_BASE64}`,
    ]);
  }
  return packed.payload;
}

/**
 * Checks that `caller` may use `stream` and that it is configured. A key limited to other
 * streams is refused before the lookup, so it cannot learn which streams exist.
 */
export function checkStream(
  ctx: FirehoseContext,
  caller: Caller,
  stream: string,
  operation: Operation,
  call: ApiCall,
): void {
  if (!mayUse(caller, stream)) {
    // AWS's words, with the access key ID where AWS names the IAM principal.
    throw new FirehoseError(
      'AccessDeniedException',
      `User: ${caller.keyId ?? 'anonymous'} is not authorized to perform: firehose:${operation} on resource: ${streamArn(ctx, stream)}`,
      'stream_denied',
    );
  }
  if (!ctx.streams.has(stream)) {
    throw new FirehoseError(
      'ResourceNotFoundException',
      `Firehose ${stream} under account ${ctx.identity.accountId} not found.`,
    );
  }
  call.stream = stream;
}
