// Raw: the records exactly as they came, each followed by the configured delimiter (none by
// default, as Firehose concatenates records unless a processor appends a delimiter).
import type { OutputRecord } from '../processing/records.js';
import { joinDelimited } from './delimited.js';
import type { Encoder } from './types.js';

export function rawEncoder(delimiter: string): Encoder {
  const separator = Buffer.from(delimiter);
  return {
    name: 'raw',
    extension: '',
    contentType: 'application/octet-stream',
    handlesCompression: false,
    async *encode(pages: AsyncIterable<OutputRecord[]>): AsyncIterable<Buffer> {
      for await (const records of pages) {
        if (records.length > 0)
          yield joinDelimited(
            records.map((r) => r.data),
            separator,
            false,
          );
      }
    },
  };
}
