// One Parquet file written as its records arrive: parse and convert each record and append the
// row to parquetjs-lite's writer, which encodes a row group once it has rowGroupSize rows. The
// bytes written so far are handed out after each append, so the file is never in memory whole;
// the writer keeps only the current row group's rows and the finished groups' metadata, which
// the footer needs. Runs in an encoder thread (thread.ts); tests call it directly.
import { Writable } from 'node:stream';
import parquet from 'parquetjs-lite';
import { recordConverter } from './convert.js';
import { installLibraryPatches } from './library-patches.js';
import type { RecordFailure, Written } from './protocol.js';
import { type ParquetPlan, schemaDefinition } from './schema.js';

interface Prepared {
  schema: parquet.ParquetSchema;
  convert: ReturnType<typeof recordConverter>;
}

// Per thread, by plan: a stream's plan is the same for every object, so this stays small.
const prepared = new Map<string, Prepared>();

function prepare(plan: ParquetPlan): Prepared {
  const key = JSON.stringify(plan);
  let found = prepared.get(key);
  if (!found) {
    found = {
      schema: new parquet.ParquetSchema(schemaDefinition(plan)),
      convert: recordConverter(plan.columns),
    };
    prepared.set(key, found);
  }
  return found;
}

// parquetjs-lite throws strings as well as Errors.
function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

export class ParquetFileWriter {
  /** Rows written so far (records that converted). */
  rows = 0;

  private readonly schema: parquet.ParquetSchema;
  private readonly convert: Prepared['convert'];
  private readonly rowGroupSize: number;
  private writer: parquet.ParquetWriter | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private readonly sink = new Writable({
    write: (chunk: Uint8Array, _encoding, done) => {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      done();
    },
  });

  constructor(plan: ParquetPlan) {
    installLibraryPatches();
    ({ schema: this.schema, convert: this.convert } = prepare(plan));
    this.rowGroupSize = plan.rowGroupSize;
  }

  /**
   * Appends the records that convert and returns the bytes this completed (a row group, once it
   * is full) with the records that did not, by index in `records`.
   */
  async append(records: readonly Uint8Array[]): Promise<Written> {
    const failures: RecordFailure[] = [];
    try {
      for (let index = 0; index < records.length; index += 1) {
        const converted = this.convert(records[index] as Uint8Array);
        if (!converted.ok) {
          failures.push({ index, errorCode: converted.errorCode, errorMessage: converted.errorMessage });
          continue;
        }
        this.writer ??= await this.open();
        await this.writer.appendRow(converted.row);
        this.rows += 1;
      }
    } catch (thrown) {
      throw asError(thrown);
    }
    return { bytes: this.take(), failures };
  }

  /** Writes the last row group and the footer; null when no record converted (no file at all). */
  async finish(): Promise<Uint8Array | null> {
    if (!this.writer) return null;
    try {
      await this.writer.close();
    } catch (thrown) {
      throw asError(thrown);
    }
    return this.take();
  }

  // Opened at the first good row, so that an object of failures writes no file at all.
  private open(): Promise<parquet.ParquetWriter> {
    return parquet.ParquetWriter.openStream(this.schema, this.sink, {
      rowGroupSize: this.rowGroupSize,
      // V1 data pages, as Firehose writes by default (ParquetSerDe WriterVersion V1): every
      // reader takes them.
      useDataPageV2: false,
      // The library's ColumnIndex lacks the fields Parquet requires (null_pages,
      // boundary_order), which strict readers reject; DuckDB does not use it anyway.
      pageIndex: false,
    });
  }

  /** The bytes written since the last take, in one buffer of their own (transferable). */
  private take(): Uint8Array | null {
    if (this.pendingBytes === 0) return null;
    const [only] = this.pending;
    // A row group is written in one piece that owns its memory: handed on without a copy.
    if (
      this.pending.length === 1 &&
      only &&
      only.byteOffset === 0 &&
      only.byteLength === only.buffer.byteLength
    ) {
      this.pending = [];
      this.pendingBytes = 0;
      return only;
    }
    const bytes = new Uint8Array(this.pendingBytes);
    let offset = 0;
    for (const chunk of this.pending) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    return bytes;
  }
}

export interface WholeFile {
  /** The Parquet file; null when no record converted. */
  file: Uint8Array | null;
  rows: number;
  failures: RecordFailure[];
}

/** `records` as one file in one buffer: for tests, which read files back whole. */
export async function writeParquet(records: readonly Uint8Array[], plan: ParquetPlan): Promise<WholeFile> {
  const writer = new ParquetFileWriter(plan);
  const { bytes, failures } = await writer.append(records);
  const last = await writer.finish();
  if (!last) return { file: null, rows: 0, failures };
  const file = new Uint8Array((bytes?.length ?? 0) + last.length);
  if (bytes) file.set(bytes);
  file.set(last, bytes?.length ?? 0);
  return { file, rows: writer.rows, failures };
}
