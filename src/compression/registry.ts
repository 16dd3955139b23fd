// Compressors by the config's `compression`, at the configured level. Adding one touches only
// this function. gzip runs on libuv's thread pool (node:zlib). zstd-napi is synchronous and runs
// on the event loop in chunks of at most a page (a few ms each); moving it to worker threads is
// the performance issue's job.
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import { CompressStream } from 'zstd-napi';
import type { CompressionName } from '../config/schema.js';
import type { Compressor } from './types.js';

export const DEFAULT_LEVELS = { gzip: 6, zstd: 3 } as const;

// zlib's default 16 KiB output chunks each cost a trip through the event loop; with ingest busy
// that starved gzip delivery (measured by the benchmark). 1 MiB chunks make it a few trips a page.
const GZIP_CHUNK_BYTES = 1 << 20;

export function createCompressor(name: CompressionName, level?: number): Compressor {
  switch (name) {
    case 'none':
      return { name, extension: '', contentType: undefined, stream: () => new PassThrough() };
    case 'gzip': {
      const gzipLevel = level ?? DEFAULT_LEVELS.gzip;
      return {
        name,
        extension: '.gz',
        contentType: 'application/gzip',
        stream: () => createGzip({ level: gzipLevel, chunkSize: GZIP_CHUNK_BYTES }),
      };
    }
    case 'zstd': {
      const zstdLevel = level ?? DEFAULT_LEVELS.zstd;
      return {
        name,
        extension: '.zst',
        contentType: 'application/zstd',
        stream: () => new CompressStream({ compressionLevel: zstdLevel }),
      };
    }
  }
}
