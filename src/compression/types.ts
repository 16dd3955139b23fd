import type { Transform } from 'node:stream';
import type { CompressionName } from '../config/schema.js';

export interface Compressor {
  readonly name: CompressionName;
  /** Appended to the object key, as Firehose does (`.gz`); '' for none. */
  readonly extension: string;
  /** Content-Type of the compressed object, or undefined to keep the format's own. */
  readonly contentType: string | undefined;
  /** A fresh compressing stream for one object. */
  stream(): Transform;
}
