// Runs in a compression worker thread: compresses one chunk into one complete gzip member or
// zstd frame. Concatenated members and frames are valid gzip and zstd streams that every
// decoder reads (gunzip, zstd -d, DuckDB), so chunks can be compressed independently and in
// parallel, off the event loop. zstd-napi is synchronous, so it must not run on the main thread.
import { gzipSync } from 'node:zlib';
import { compress } from 'zstd-napi';
import type { CompressTask } from './protocol.js';

export default function run(task: CompressTask): Uint8Array {
  const input = Buffer.from(task.data.buffer, task.data.byteOffset, task.data.byteLength);
  if (task.codec === 'gzip') return gzipSync(input, { level: task.level });
  return compress(input, { compressionLevel: task.level });
}
