// Joins a page of records with a delimiter after each: what NDJSON, raw output and the source
// backup have in common, and the encoders of the first two. `onlyWhenMissing` leaves out the delimiter after a record that
// already ends with it (NDJSON lines that arrive with their newline).
import type { OutputRecord } from '../processing/records.js';
import type { Encoder } from './types.js';

export function joinDelimited(
  records: readonly Buffer[],
  delimiter: Buffer,
  onlyWhenMissing: boolean,
): Buffer {
  const parts: Buffer[] = [];
  const last = delimiter[delimiter.length - 1];
  for (const data of records) {
    parts.push(data);
    if (delimiter.length === 0) continue;
    if (onlyWhenMissing && delimiter.length === 1 && data[data.length - 1] === last) continue;
    parts.push(delimiter);
  }
  return Buffer.concat(parts);
}

/** An encoder that writes each page of records as one delimited chunk (NDJSON, raw). */
export function delimitedEncoder(
  format: Pick<Encoder, 'name' | 'contentType'>,
  delimiter: Buffer,
  onlyWhenMissing: boolean,
): Encoder {
  return {
    ...format,
    extension: '',
    handlesCompression: false,
    async *encode(pages: AsyncIterable<OutputRecord[]>): AsyncIterable<Buffer> {
      for await (const records of pages) {
        if (records.length > 0)
          yield joinDelimited(
            records.map((r) => r.data),
            delimiter,
            onlyWhenMissing,
          );
      }
    },
  };
}
