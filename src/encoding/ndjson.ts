// NDJSON: every record followed by a newline, unless it already ends with one.
import { delimitedEncoder } from './delimited.js';

export const ndjsonEncoder = delimitedEncoder(
  { name: 'ndjson', contentType: 'application/x-ndjson' },
  Buffer.from('\n'),
  true,
);
