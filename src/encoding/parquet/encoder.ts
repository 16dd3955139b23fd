// Parquet output: JSON records converted field by field to the stream's declared schema and
// written by parquetjs-lite in worker threads (a piscina pool per stream), so that the event loop
// only gathers records and passes bytes on. The records go to the thread in chunks while the
// batch is read, and each row group's bytes come back as soon as it is encoded (protocol.ts).
// Gathering the object first held, per batch in flight, its records and a packed copy in the main
// thread and the copy and the whole file in the thread: with 64 MiB batches, four in flight,
// the benchmark's Parquet scenario peaked at about 1.2 GiB RSS, against about 0.45 GiB streaming.
import { Piscina } from 'piscina';
import type { ParquetFormatConfig } from '../../config/format-schema.js';
import type { OutputRecord } from '../../processing/records.js';
import type { EncodeContext, Encoder } from '../types.js';
import type { Written } from './protocol.js';
import { type ParquetPlan, planOf } from './schema.js';
import { EncoderSession } from './session.js';

const threadFile = new URL('./thread.js', import.meta.url).href;
const CLOSED = 'the Parquet encoder is closed';

/**
 * Record bytes per message to the thread: about a thousand 1 KiB records, so the messages cost
 * nothing measurable, while a batch in flight holds only a few such chunks in the main thread.
 */
const CHUNK_BYTES = 1024 * 1024;
/**
 * Chunks sent and not yet answered. Two: the thread finds the next chunk waiting when it is done
 * with one, while the main thread reads the one after.
 */
const CHUNKS_IN_FLIGHT = 2;
/**
 * The threads' young generation, in MiB (semi-spaces of 1 MiB). A thread's garbage is parsed
 * records that die at once, while converted rows live until their page is encoded (8,192 rows)
 * and are promoted whatever the nursery's size: a larger one only holds more dead records and
 * frees the encoder's buffers later. Measured on 64 MiB batches of 1 KiB records: about 20 MiB
 * less RSS per thread than V8's default (semi-spaces growing to 16 MiB), throughput within the
 * noise (-4 %).
 */
const YOUNG_GENERATION_MIB = 3;

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
   * Yields the object's Parquet file as it is written (row group by row group, then the footer),
   * or nothing when no record could be converted. Records that cannot be converted are reported
   * to `context`, each before the bytes of the chunk it came in, and left out of the file.
   */
  async *encode(pages: AsyncIterable<OutputRecord[]>, context: EncodeContext): AsyncIterable<Buffer> {
    if (this.closed) throw new Error(CLOSED);
    let session: EncoderSession | undefined;
    // The records of each chunk sent, until its reply names the ones that failed.
    const sent: OutputRecord[][] = [];
    let chunk: OutputRecord[] = [];
    let chunkBytes = 0;
    let finished = false;
    const reply = async (
      active: EncoderSession,
      records: readonly OutputRecord[],
    ): Promise<Buffer | undefined> => {
      let written: Written;
      try {
        written = await active.next();
      } catch (error) {
        throw new Error(`Parquet encoding failed: ${(error as Error).message}`, { cause: error });
      }
      for (const failure of written.failures) {
        const record = records[failure.index] as OutputRecord;
        context.conversionFailed(record, failure.errorCode, failure.errorMessage);
      }
      const { bytes } = written;
      return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
    };
    const send = (): EncoderSession => {
      const active = session ?? new EncoderSession(this.threadPool(), this.plan);
      active.send(chunk, chunkBytes);
      sent.push(chunk);
      chunk = [];
      chunkBytes = 0;
      return active;
    };
    try {
      for await (const page of pages) {
        for (const record of page) {
          chunk.push(record);
          chunkBytes += record.data.length;
          if (chunkBytes < CHUNK_BYTES) continue;
          session = send();
          while (sent.length > CHUNKS_IN_FLIGHT) {
            const bytes = await reply(session, sent.shift() as OutputRecord[]);
            if (bytes) yield bytes;
          }
        }
      }
      if (chunk.length > 0) session = send();
      if (!session) return;
      session.end();
      // The chunks still unanswered, then `end` (the last row group and the footer; no records).
      for (const records of [...sent.splice(0), []]) {
        const bytes = await reply(session, records);
        if (bytes) yield bytes;
      }
      finished = true;
    } finally {
      // Also when the consumer stops early (a failed upload): the thread drops the object.
      session?.close(!finished);
    }
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
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MIB },
    });
    return this.pool;
  }
}
