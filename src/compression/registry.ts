// Compressors by the config's `compression`, at the configured level. Adding one touches only
// this function. gzip and zstd run in the compression thread pool (pool.ts), never on the
// event loop: zstd-napi is synchronous, and zlib's async API costs a trip through the event
// loop per 16 KiB, which starved gzip delivery while ingest was busy (measured by the bench).
import { PassThrough } from 'node:stream';
import type { CompressionName } from '../config/schema.js';
import type { CompressionPool } from './pool.js';
import type { Compressor } from './types.js';

export const DEFAULT_LEVELS = { gzip: 6, zstd: 3 } as const;

export function createCompressor(
  name: CompressionName,
  level: number | undefined,
  pool: CompressionPool,
): Compressor {
  switch (name) {
    case 'none':
      return { name, extension: '', contentType: undefined, stream: () => new PassThrough() };
    case 'gzip': {
      const gzipLevel = level ?? DEFAULT_LEVELS.gzip;
      return {
        name,
        extension: '.gz',
        contentType: 'application/gzip',
        stream: () => pool.stream('gzip', gzipLevel),
      };
    }
    case 'zstd': {
      const zstdLevel = level ?? DEFAULT_LEVELS.zstd;
      return {
        name,
        extension: '.zst',
        contentType: 'application/zstd',
        stream: () => pool.stream('zstd', zstdLevel),
      };
    }
  }
}
