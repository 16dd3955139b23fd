// A replacement for parquetjs-lite's shredRecord (lib/shred.js) for Sluice's flat schemas: each
// row is a Row from convert.ts (one cell per column, in the schema's order) whose values are
// already what the column's encoder writes. It fills the writer's row buffer exactly as the
// library's shredder does, which the writer then encodes into pages and row groups.
//
// Why replace it: the library's shredder allocates an object and a Set per column for every
// record and copies them into the buffer; a profile puts about half of the writer's time there
// (limits.md §3c: about 20k records per CPU-second). And its page statistics are wrong for text:
// min and max are taken with JavaScript's < (UTF-16 order) where Parquet orders bytes (UTF-8), so
// a page holding "😀" and "！" claims max "！", and DuckDB then skips the page for s = '😀'. Here a
// text column's statistics Set holds each value's UTF-8 bytes as a latin1 string, whose UTF-16
// order is the byte order (library-patches.ts turns those strings back into the same bytes).
import { Buffer } from 'node:buffer';
import type { ParquetSchema } from 'parquetjs-lite';
import type { ColumnBuffer, RowBuffer } from 'parquetjs-lite/lib/shred.js';
import type { Primitive, Row } from './convert.js';

interface ShredColumn {
  /** The writer's key for the column in columnData and pages (its path). */
  key: string;
  repeated: boolean;
  dLevelMax: number;
  /** Whether the writer computes statistics from the column's distinct values. */
  statistics: boolean;
  /** BYTE_ARRAY (UTF8) columns keep byte-ordered keys in their statistics Set. */
  text: boolean;
}

const plans = new WeakMap<ParquetSchema, ShredColumn[]>();

function planFor(schema: ParquetSchema): ShredColumn[] {
  let plan = plans.get(schema);
  if (!plan) {
    plan = schema.fieldList.map((field) => {
      if (field.isNested) throw new Error('the Parquet shredder handles flat schemas only');
      return {
        key: field.path.join(','),
        repeated: field.repetitionType === 'REPEATED',
        dLevelMax: field.dLevelMax,
        statistics: field.statistics !== false,
        text: field.primitiveType === 'BYTE_ARRAY',
      };
    });
    plans.set(schema, plan);
  }
  return plan;
}

/**
 * The key of a text value in a statistics Set: its UTF-8 bytes as a latin1 string, so that < and >
 * compare bytes. ASCII text is its own key (no copy).
 */
export function byteOrderKey(text: string): string {
  return Buffer.byteLength(text, 'utf8') === text.length
    ? text
    : Buffer.from(text, 'utf8').toString('latin1');
}

function emptyColumn(): ColumnBuffer {
  return { dlevels: [], rlevels: [], values: [], distinct_values: new Set(), count: 0 };
}

function pushValue(column: ColumnBuffer, shred: ShredColumn, value: Primitive): void {
  column.values.push(value);
  if (shred.statistics) column.distinct_values.add(shred.text ? byteOrderKey(value as string) : value);
}

/** Same signature and buffer layout as parquetjs-lite's shredRecord; `record` is a Row. */
export function shredRow(schema: ParquetSchema, record: unknown, buffer: RowBuffer): void {
  const plan = planFor(schema);
  const row = record as Row;
  if (buffer.columnData === undefined || buffer.pages === undefined) {
    buffer.rowCount = 0;
    buffer.pageRowCount = 0;
    buffer.columnData = {};
    buffer.pages = {};
    for (const shred of plan) {
      buffer.columnData[shred.key] = emptyColumn();
      buffer.pages[shred.key] = [];
    }
  }
  const columns = buffer.columnData;
  for (let i = 0; i < plan.length; i += 1) {
    const shred = plan[i] as ShredColumn;
    // Re-read per row: the writer replaces the column's arrays and Set after each page.
    const column = columns[shred.key] as ColumnBuffer;
    const cell = row[i];
    if (shred.repeated) {
      const list = cell as Primitive[];
      if (list.length === 0) {
        // An empty (or absent) list: one level entry at definition level 0, as the library does.
        column.rlevels.push(0);
        column.dlevels.push(0);
        column.count += 1;
        continue;
      }
      for (let j = 0; j < list.length; j += 1) {
        column.rlevels.push(j === 0 ? 0 : 1);
        column.dlevels.push(shred.dLevelMax);
        pushValue(column, shred, list[j] as Primitive);
      }
      column.count += list.length;
    } else {
      // rlevels stay empty: the writer encodes them only for repeated columns (rLevelMax > 0).
      if (cell === null || cell === undefined) {
        column.dlevels.push(0);
      } else {
        column.dlevels.push(shred.dLevelMax);
        pushValue(column, shred, cell as Primitive);
      }
      column.count += 1;
    }
  }
  buffer.rowCount = (buffer.rowCount ?? 0) + 1;
  buffer.pageRowCount = (buffer.pageRowCount ?? 0) + 1;
}
