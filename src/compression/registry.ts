// Compressors by the name used in the config's `compression`. Adding one touches only this table.
// gzip runs on libuv's thread pool (node:zlib). zstd-napi is synchronous and runs on the event
// loop in pages of at most a few MiB (a few ms each); moving it to worker threads is the
// performance issue's job.
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import { CompressStream } from 'zstd-napi';
import type { CompressionName } from '../config/schema.js';
import type { Compressor } from './types.js';

const GZIP_LEVEL = 6;
const ZSTD_LEVEL = 3;

const compressors: Record<CompressionName, Compressor> = {
  none: { name: 'none', extension: '', contentType: undefined, stream: () => new PassThrough() },
  gzip: {
    name: 'gzip',
    extension: '.gz',
    contentType: 'application/gzip',
    stream: () => createGzip({ level: GZIP_LEVEL }),
  },
  zstd: {
    name: 'zstd',
    extension: '.zst',
    contentType: 'application/zstd',
    stream: () => new CompressStream({ compressionLevel: ZSTD_LEVEL }),
  },
};

export function compressorFor(name: CompressionName): Compressor {
  return compressors[name];
}
