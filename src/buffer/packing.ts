// One ingest request becomes one stream entry holding all its records (DESIGN.md section 3).
// Layout of the packed payload: for each record, a 4-byte big-endian length, then its bytes.
// Unpacking returns views into the payload, so reading a batch copies no record.

const LENGTH_BYTES = 4;

/** Packs records into one buffer; `totalBytes` is the sum of their lengths, if known. */
export function packRecords(records: readonly Uint8Array[], totalBytes?: number): Buffer {
  const dataBytes = totalBytes ?? records.reduce((sum, record) => sum + record.length, 0);
  const out = Buffer.allocUnsafe(dataBytes + LENGTH_BYTES * records.length);
  let offset = 0;
  for (const record of records) {
    out.writeUInt32BE(record.length, offset);
    out.set(record, offset + LENGTH_BYTES);
    offset += LENGTH_BYTES + record.length;
  }
  return out;
}

/**
 * The number of bytes canonical base64 `text` decodes to, from its length and padding alone;
 * -1 when its length is not a multiple of 4 (canonical base64 always is). Whether the text is
 * really base64 is checked while packing (packBase64Records).
 */
export function base64DecodedLength(text: string): number {
  if (text.length % 4 !== 0) return -1;
  const EQUALS = 0x3d;
  const padding =
    text.length === 0 || text.charCodeAt(text.length - 1) !== EQUALS
      ? 0
      : text.charCodeAt(text.length - 2) === EQUALS
        ? 2
        : 1;
  return (text.length / 4) * 3 - padding;
}

/**
 * Packs records given as base64 text (the Firehose API's `Data`), decoding each straight into
 * the payload: no Buffer per record. `decodedLengths[i]` is what record i decodes to and
 * `totalBytes` their sum; both come from the text's length and padding. Node's decoder is
 * lenient (it skips characters outside the alphabet, accepts base64url), so each decoded record
 * is encoded again and compared with its text: equal only when the text is the canonical
 * base64 of those bytes. Measured on 500 records of 8 KB (4 MB decoded): about 3 ms per
 * request, against about 30 ms for a regular expression over the text before decoding.
 * Returns the payload, or the index of the first record whose text is not canonical base64.
 */
export function packBase64Records(
  encoded: readonly string[],
  decodedLengths: readonly number[],
  totalBytes: number,
): { payload: Buffer; invalid: -1 } | { payload: undefined; invalid: number } {
  const out = Buffer.allocUnsafe(totalBytes + LENGTH_BYTES * encoded.length);
  let offset = 0;
  for (let i = 0; i < encoded.length; i += 1) {
    const text = encoded[i] as string;
    const length = decodedLengths[i] as number;
    const start = offset + LENGTH_BYTES;
    if (length < 0) return { payload: undefined, invalid: i }; // base64DecodedLength's -1
    out.writeUInt32BE(length, offset);
    const written = out.write(text, start, length, 'base64');
    if (written !== length || out.toString('base64', start, start + length) !== text) {
      return { payload: undefined, invalid: i };
    }
    offset = start + length;
  }
  return { payload: out, invalid: -1 };
}

export function unpackRecords(payload: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let offset = 0;
  while (offset < payload.length) {
    if (offset + LENGTH_BYTES > payload.length) throw new Error('packed payload is truncated');
    const length = payload.readUInt32BE(offset);
    const start = offset + LENGTH_BYTES;
    if (start + length > payload.length) throw new Error('packed payload is truncated');
    records.push(payload.subarray(start, start + length));
    offset = start + length;
  }
  return records;
}
