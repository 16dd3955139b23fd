// The compression thread pool and the stream that uses it: input is gathered into chunks of
// about CHUNK_BYTES, each chunk is compressed by a thread into its own gzip member or zstd
// frame, up to `parallel` chunks at once, and the results are pushed in input order.
import { Transform, type TransformCallback } from 'node:stream';
import { Piscina } from 'piscina';
import type { CompressTask } from './protocol.js';

/** Big enough that per-chunk framing costs nothing in ratio, small enough to keep memory low. */
const CHUNK_BYTES = 4 * 1024 * 1024;

export class CompressionPool {
  private readonly piscina: Piscina;
  private closed = false;

  constructor(readonly threads: number) {
    this.piscina = new Piscina({
      filename: new URL('./thread.js', import.meta.url).href,
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 60_000,
    });
  }

  compress(
    codec: CompressTask['codec'],
    level: number,
    chunks: Buffer[],
    bytes: number,
  ): Promise<Uint8Array> {
    // One copy, into a buffer of its own, so transferring it detaches nothing else.
    const data = new Uint8Array(bytes);
    let offset = 0;
    for (const chunk of chunks) {
      data.set(chunk, offset);
      offset += chunk.length;
    }
    const task: CompressTask = { codec, level, data };
    return this.piscina.run(task, { transferList: [data.buffer] });
  }

  stream(codec: CompressTask['codec'], level: number): Transform {
    return new ThreadedCompressStream(this, codec, level, this.threads);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}

class ThreadedCompressStream extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly inFlight: Promise<Uint8Array>[] = [];

  constructor(
    private readonly pool: CompressionPool,
    private readonly codec: CompressTask['codec'],
    private readonly level: number,
    private readonly parallel: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < CHUNK_BYTES) {
      callback();
      return;
    }
    this.dispatch();
    this.drain(this.parallel - 1).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.pendingBytes > 0) this.dispatch();
    this.drain(0).then(() => callback(), callback);
  }

  private dispatch(): void {
    const compressed = this.pool.compress(this.codec, this.level, this.pending, this.pendingBytes);
    compressed.catch(() => undefined); // awaited in order by drain(); not unhandled meanwhile
    this.inFlight.push(compressed);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Pushes finished chunks, in order, until at most `keep` are still in flight. */
  private async drain(keep: number): Promise<void> {
    while (this.inFlight.length > keep) {
      const result = await (this.inFlight.shift() as Promise<Uint8Array>);
      this.push(Buffer.from(result.buffer, result.byteOffset, result.byteLength));
    }
  }
}
