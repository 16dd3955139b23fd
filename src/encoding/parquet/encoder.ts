// Parquet output: JSON records converted field by field to the stream's declared schema and
// written by parquetjs-lite in worker threads (a piscina pool per stream), so that the event loop
// only gathers the records and hands over one buffer. A Parquet file needs all its rows before
// its footer, so the object's pages are gathered first; the file comes back whole.
import { Piscina } from 'piscina';
import { packRecords } from '../../buffer/packing.js';
import type { ParquetFormatConfig } from '../../config/format-schema.js';
import type { OutputRecord } from '../../processing/records.js';
import type { EncodeContext, Encoder } from '../types.js';
import type { EncodeReply, EncodeTask } from './protocol.js';
import { type ParquetPlan, planOf } from './schema.js';

const threadFile = new URL('./thread.js', import.meta.url).href;
const CLOSED = 'the Parquet encoder is closed';

/** packRecords' buffer, or a copy of it when it is a slice of Node's shared pool (small buffers). */
function ownBuffer(packed: Buffer): Uint8Array {
  // A pooled slice cannot be transferred: Node 24 throws, Node 20 silently copies it.
  return packed.byteOffset === 0 && packed.byteLength === packed.buffer.byteLength
    ? packed
    : new Uint8Array(packed);
}

export class ParquetEncoder implements Encoder {
  readonly name = 'parquet';
  readonly extension = '.parquet';
  readonly contentType = 'application/vnd.apache.parquet';
  readonly handlesCompression = true;

  private readonly plan: ParquetPlan;
  private pool: Piscina | undefined;
  private closed = false;

  constructor(
    readonly format: ParquetFormatConfig,
    readonly threads: number,
  ) {
    this.plan = planOf(format);
  }

  /**
   * Yields the object's Parquet file as one buffer, or nothing when no record could be converted.
   * Records that cannot be converted are reported to `context` (before the file is yielded) and
   * left out of the file.
   */
  async *encode(pages: AsyncIterable<OutputRecord[]>, context: EncodeContext): AsyncIterable<Buffer> {
    if (this.closed) throw new Error(CLOSED);
    const records: OutputRecord[] = [];
    const data: Buffer[] = [];
    let bytes = 0;
    for await (const page of pages) {
      for (const record of page) {
        records.push(record);
        data.push(record.data);
        bytes += record.data.length;
      }
    }
    if (records.length === 0) return;
    // The one copy of the data in this thread; the buffer then moves to the encoder thread.
    const packed = ownBuffer(packRecords(data, bytes));
    data.length = 0;
    const task: EncodeTask = { plan: this.plan, records: packed };
    let reply: EncodeReply;
    try {
      reply = await this.threadPool().run(task, { transferList: [packed.buffer as ArrayBuffer] });
    } catch (error) {
      throw new Error(`Parquet encoding failed: ${(error as Error).message}`, { cause: error });
    }
    for (const failure of reply.failures) {
      context.conversionFailed(
        records[failure.index] as OutputRecord,
        failure.errorCode,
        failure.errorMessage,
      );
    }
    if (reply.file) yield Buffer.from(reply.file.buffer, reply.file.byteOffset, reply.file.byteLength);
  }

  /** Ends the threads. Safe twice, and without any encode before. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  private threadPool(): Piscina {
    if (this.closed) throw new Error(CLOSED);
    this.pool ??= new Piscina({
      filename: threadFile,
      minThreads: 0,
      maxThreads: Math.max(1, this.threads),
      idleTimeout: 60_000,
    });
    return this.pool;
  }
}
