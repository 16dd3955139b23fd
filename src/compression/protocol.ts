export interface CompressTask {
  codec: 'gzip' | 'zstd';
  level: number;
  /** A dedicated buffer (its ArrayBuffer holds nothing else), transferred to the thread. */
  data: Uint8Array;
}
