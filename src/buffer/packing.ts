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
