// Raw: the records exactly as they came, each followed by the configured delimiter (none by
// default, as Firehose concatenates records unless a processor appends a delimiter).
import { delimitedEncoder } from './delimited.js';
import type { Encoder } from './types.js';

export function rawEncoder(delimiter: string): Encoder {
  return delimitedEncoder(
    { name: 'raw', contentType: 'application/octet-stream' },
    Buffer.from(delimiter),
    false,
  );
}
