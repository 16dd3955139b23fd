// NDJSON: every record followed by a newline, unless it already ends with one.
import type { OutputRecord } from '../processing/records.js';
import { joinDelimited } from './delimited.js';
import type { Encoder } from './types.js';

const NEWLINE = Buffer.from('\n');

export const ndjsonEncoder: Encoder = {
  name: 'ndjson',
  extension: '',
  contentType: 'application/x-ndjson',
  handlesCompression: false,
  async *encode(pages: AsyncIterable<OutputRecord[]>): AsyncIterable<Buffer> {
    for await (const records of pages) {
      if (records.length > 0)
        yield joinDelimited(
          records.map((r) => r.data),
          NEWLINE,
          true,
        );
    }
  },
};
