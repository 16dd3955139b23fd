// The stream's `format.schema` as the encoder threads need it: a plain, cloneable plan (sent with
// every task) and the parquetjs-lite schema definition built from it. No library import here, so
// the main thread never loads parquetjs-lite.
import type { ParquetColumnConfig, ParquetFormatConfig } from '../../config/format-schema.js';

export type ColumnType = ParquetColumnConfig['type'];

export interface ColumnPlan {
  /** The Parquet column name. */
  name: string;
  /** The JSON field it reads: `field` from the config, else the column name. */
  field: string;
  type: ColumnType;
  unit: 'millis' | 'micros';
  optional: boolean;
  repeated: boolean;
}

export interface ParquetPlan {
  columns: ColumnPlan[];
  compression: ParquetFormatConfig['compression'];
  rowGroupSize: number;
}

export function planOf(format: ParquetFormatConfig): ParquetPlan {
  return {
    columns: Object.entries(format.schema).map(([name, column]) => ({
      name,
      field: column.field ?? name,
      type: column.type,
      unit: column.unit,
      optional: column.optional,
      repeated: column.repeated,
    })),
    compression: format.compression,
    rowGroupSize: format.rowGroupSize,
  };
}

/** The parquetjs-lite type (a key of its PARQUET_LOGICAL_TYPES) that holds a column. */
export function parquetType(column: Pick<ColumnPlan, 'type' | 'unit'>): string {
  switch (column.type) {
    case 'string':
    case 'json': // the value's JSON text; UTF8 so that every reader sees plain text (VARCHAR in DuckDB)
      return 'UTF8';
    case 'int32':
      return 'INT32';
    case 'int64':
      return 'INT64';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'timestamp':
      return column.unit === 'micros' ? 'TIMESTAMP_MICROS' : 'TIMESTAMP_MILLIS';
    case 'date':
      return 'DATE';
  }
}

const CODECS = { none: 'UNCOMPRESSED', snappy: 'SNAPPY', gzip: 'GZIP' } as const;

export interface FieldDefinition {
  type: string;
  optional: boolean;
  repeated: boolean;
  compression: (typeof CODECS)[keyof typeof CODECS];
  statistics: boolean;
}

/**
 * The definition for `new ParquetSchema(...)`. The codec goes on every column: parquetjs-lite
 * reads it only there (a `compression` writer option is silently ignored and gives an
 * uncompressed file). Statistics are left out of `json` columns: their values can be large
 * documents, nobody filters on them, and min/max would copy two of them into every page header.
 */
export function schemaDefinition(plan: ParquetPlan): Record<string, FieldDefinition> {
  const definition: Record<string, FieldDefinition> = {};
  for (const column of plan.columns) {
    definition[column.name] = {
      type: parquetType(column),
      optional: column.optional,
      repeated: column.repeated,
      compression: CODECS[plan.compression],
      statistics: column.type !== 'json',
    };
  }
  return definition;
}
