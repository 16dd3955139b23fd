// One Parquet file from one object's records: parse and convert each record, write the rows with
// parquetjs-lite into memory. Runs in an encoder thread (thread.ts); tests call it directly.
import { Writable } from 'node:stream';
import parquet from 'parquetjs-lite';
import { recordConverter } from './convert.js';
import { installLibraryPatches } from './library-patches.js';
import type { EncodeReply, RecordFailure } from './protocol.js';
import { type ParquetPlan, schemaDefinition } from './schema.js';

interface Prepared {
  schema: parquet.ParquetSchema;
  convert: ReturnType<typeof recordConverter>;
}

// Per thread, by plan: a stream's plan is the same for every task, so this stays small.
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

/**
 * Writes `records` as one Parquet file. Records that cannot be converted are left out and listed
 * in `failures` by index; `file` is null when no record could be (nothing to write). The file is
 * in one buffer of its own, so it can be transferred to another thread.
 */
export async function writeParquet(records: readonly Uint8Array[], plan: ParquetPlan): Promise<EncodeReply> {
  installLibraryPatches();
  const { schema, convert } = prepare(plan);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const sink = new Writable({
    write(chunk: Uint8Array, _encoding, done) {
      chunks.push(chunk);
      size += chunk.length;
      done();
    },
  });
  const failures: RecordFailure[] = [];
  let writer: parquet.ParquetWriter | undefined;
  let rows = 0;
  try {
    for (let index = 0; index < records.length; index += 1) {
      const converted = convert(records[index] as Uint8Array);
      if (!converted.ok) {
        failures.push({ index, errorCode: converted.errorCode, errorMessage: converted.errorMessage });
        continue;
      }
      // Opened at the first good row, so that a batch of failures writes no file at all.
      writer ??= await parquet.ParquetWriter.openStream(schema, sink, {
        rowGroupSize: plan.rowGroupSize,
        // V1 data pages, as Firehose writes by default (ParquetSerDe WriterVersion V1): every
        // reader takes them.
        useDataPageV2: false,
        // The library's ColumnIndex lacks the fields Parquet requires (null_pages,
        // boundary_order), which strict readers reject; DuckDB does not use it anyway.
        pageIndex: false,
      });
      await writer.appendRow(converted.row);
      rows += 1;
    }
    if (!writer) return { file: null, rows: 0, failures };
    await writer.close();
  } catch (thrown) {
    throw asError(thrown);
  }
  // A buffer of its own (not a slice of Node's shared pool), so it can be transferred.
  const file = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    file.set(chunk, offset);
    offset += chunk.length;
  }
  return { file, rows, failures };
}
