// Source record backup: the records of a batch exactly as they were put (before any
// processing), newline-delimited, read again from the buffer. `all` backs up every record;
// `failedOnly` those that went to the error output.
import type { Batch } from '../buffer/batch.js';
import type { StreamBuffer } from '../buffer/stream-buffer.js';
import { joinDelimited } from '../encoding/delimited.js';
import { readRecords } from '../processing/records.js';

const NEWLINE = Buffer.from('\n');

export async function* backupChunks(
  buffer: StreamBuffer,
  batch: Batch,
  only: ReadonlySet<string> | undefined,
): AsyncGenerator<Buffer> {
  for await (const page of readRecords(buffer, batch)) {
    const kept = page.filter((record) => !only || only.has(record.recordId)).map((record) => record.data);
    if (kept.length > 0) yield joinDelimited(kept, NEWLINE, true);
  }
}
