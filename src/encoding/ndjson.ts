// NDJSON: every record followed by a newline, unless it already ends with one.
import type { OutputRecord } from '../processing/records.js';
import type { Encoder } from './types.js';

const NEWLINE = Buffer.from('\n');

export const ndjsonEncoder: Encoder = {
  name: 'ndjson',
  extension: '',
  contentType: 'application/x-ndjson',
  handlesCompression: false,
  async *encode(pages: AsyncIterable<OutputRecord[]>): AsyncIterable<Buffer> {
    for await (const records of pages) {
      const parts: Buffer[] = [];
      for (const { data } of records) {
        parts.push(data);
        if (data[data.length - 1] !== 0x0a) parts.push(NEWLINE);
      }
      if (parts.length > 0) yield Buffer.concat(parts);
    }
  },
};
