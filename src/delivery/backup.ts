// Source record backup: the records of a batch exactly as they were put (before any
// processing), newline-delimited, read again from the buffer. `all` backs up every record;
// `failedOnly` those that went to the error output.
import type { Batch } from '../buffer/batch.js';
import type { StreamBuffer } from '../buffer/stream-buffer.js';
import { readRecords } from '../processing/records.js';

const NEWLINE = Buffer.from('\n');

export async function* backupChunks(
  buffer: StreamBuffer,
  batch: Batch,
  only: ReadonlySet<string> | undefined,
): AsyncGenerator<Buffer> {
  for await (const page of readRecords(buffer, batch)) {
    const parts: Buffer[] = [];
    for (const record of page) {
      if (only && !only.has(record.recordId)) continue;
      parts.push(record.data);
      if (record.data[record.data.length - 1] !== 0x0a) parts.push(NEWLINE);
    }
    if (parts.length > 0) yield Buffer.concat(parts);
  }
}
