// Encoders by the config's `format.type`. Adding one touches only this function.
import type { FormatConfig } from '../config/format-schema.js';
import { ndjsonEncoder } from './ndjson.js';
import { ParquetEncoder } from './parquet/encoder.js';
import { rawEncoder } from './raw.js';
import type { Encoder } from './types.js';

export interface EncoderDeps {
  /** Threads for encoders that work off the event loop (Parquet). */
  threads: number;
}

export function createEncoder(format: FormatConfig, deps: EncoderDeps): Encoder {
  switch (format.type) {
    case 'ndjson':
      return ndjsonEncoder;
    case 'raw':
      return rawEncoder(format.delimiter);
    case 'parquet':
      return new ParquetEncoder(format, deps.threads);
  }
}
