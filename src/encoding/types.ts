// An encoder turns pages of records into the bytes of one object. Pages keep memory bounded:
// a non-partitioned batch is never in memory whole (DESIGN.md invariant 6).
import type { OutputRecord } from '../processing/records.js';

export interface EncodeContext {
  /** Reports a record this format cannot hold; it goes to the error output (format-conversion-failed). */
  conversionFailed(record: OutputRecord, errorCode: string, errorMessage: string): void;
}

export interface Encoder {
  readonly name: string;
  /** File extension the format adds before the compression's: '' for NDJSON and raw (as Firehose), '.parquet'. */
  readonly extension: string;
  readonly contentType: string;
  /** True when the format compresses its own pages (Parquet), so no outer compression applies. */
  readonly handlesCompression: boolean;
  encode(pages: AsyncIterable<OutputRecord[]>, context: EncodeContext): AsyncIterable<Buffer>;
  /** Releases threads or other resources. Safe twice. */
  close?(): Promise<void>;
}
