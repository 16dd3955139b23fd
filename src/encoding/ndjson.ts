// NDJSON: every record followed by a newline, unless it already ends with one.
import type { EntryRecords } from '../buffer/stream-buffer.js';
import type { Encoder } from './types.js';

const NEWLINE = Buffer.from('\n');

export const ndjsonEncoder: Encoder = {
  name: 'ndjson',
  extension: '',
  contentType: 'application/x-ndjson',
  handlesCompression: false,
  async *encode(pages: AsyncIterable<EntryRecords[]>): AsyncIterable<Buffer> {
    for await (const entries of pages) {
      const parts: Buffer[] = [];
      for (const entry of entries) {
        for (const record of entry.records) {
          parts.push(record);
          if (record[record.length - 1] !== 0x0a) parts.push(NEWLINE);
        }
      }
      if (parts.length > 0) yield Buffer.concat(parts);
    }
  },
};
