// An encoder turns pages of records into the bytes of one object. Pages keep memory bounded:
// the whole batch is never in memory at once (DESIGN.md invariant 6).
import type { EntryRecords } from '../buffer/stream-buffer.js';

export interface Encoder {
  readonly name: string;
  /** File extension the format adds before the compression's, e.g. '' for NDJSON (as Firehose). */
  readonly extension: string;
  readonly contentType: string;
  /** True when the format compresses its own pages (Parquet), so no outer compression applies. */
  readonly handlesCompression: boolean;
  encode(pages: AsyncIterable<EntryRecords[]>): AsyncIterable<Buffer>;
}
