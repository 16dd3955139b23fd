// Patches to parquetjs-lite 0.8.7 (pinned in package.json: these are its internal modules), made
// only where Parquet is written: in the encoder threads (and in tests that write directly). The
// daemon's main thread never loads the library.
//
// convert.ts hands the writer values that are already exact primitives, and shred.ts (our
// shredder) puts them into the pages as they are. The library's own conversions (toPrimitive)
// then run only on page and column statistics (min/max), and there they are wrong:
// - INT64 uses parseInt, which rounds beyond 2^53 (9007199254740993 becomes ...992);
// - TIMESTAMP_MILLIS, TIMESTAMP_MICROS and DATE throw on negative values, i.e. before 1970;
// - UTF8 must turn the statistics keys of shred.ts (UTF-8 bytes as latin1 strings) back into
//   the same bytes.
// So the integer types pass their values through (the plain encoder does BigInt(value), exact
// for our numbers and bigints) and UTF8 reads its keys as latin1.
import { Buffer } from 'node:buffer';
import shred from 'parquetjs-lite/lib/shred.js';
import types from 'parquetjs-lite/lib/types.js';
import { shredRow } from './shred.js';

let installed = false;

const passThrough = (value: unknown): unknown => value;

export function installLibraryPatches(): void {
  if (installed) return;
  const logical = types.PARQUET_LOGICAL_TYPES;
  for (const name of ['INT64', 'TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS', 'DATE']) {
    const type = logical[name];
    if (!type) throw new Error(`parquetjs-lite has no ${name} type: is it still version 0.8.7?`);
    type.toPrimitive = passThrough;
  }
  const utf8 = logical.UTF8;
  if (!utf8) throw new Error('parquetjs-lite has no UTF8 type: is it still version 0.8.7?');
  utf8.toPrimitive = (key: unknown) => Buffer.from(key as string, 'latin1');
  shred.shredRecord = shredRow;
  installed = true;
}
