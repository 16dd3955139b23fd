// Types for the parts of parquetjs-lite 0.8.7 that Sluice uses. The package has no types (and no
// @types package). The version is pinned in package.json because lib/types.js and lib/shred.js
// are internal modules that the encoder threads patch (see library-patches.ts).

declare module 'parquetjs-lite' {
  import type { Writable } from 'node:stream';

  namespace parquet {
    type RepetitionType = 'REQUIRED' | 'OPTIONAL' | 'REPEATED';

    /** One column of a schema definition, as given to `new ParquetSchema`. */
    interface FieldDefinition {
      /** A key of PARQUET_LOGICAL_TYPES, e.g. 'UTF8', 'INT64', 'TIMESTAMP_MILLIS'. */
      type: string;
      optional?: boolean;
      repeated?: boolean;
      /** The page codec. It is set per column: the writer's options have no codec. */
      compression?: 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP';
      encoding?: 'PLAIN';
      /** false leaves min/max/null/distinct statistics out of the pages and the column chunk. */
      statistics?: boolean;
    }

    /** A leaf column as the library describes it once the schema is built. */
    interface ParquetField {
      name: string;
      path: string[];
      primitiveType: string;
      originalType?: string;
      repetitionType: RepetitionType;
      rLevelMax: number;
      dLevelMax: number;
      isNested?: boolean;
      /** As in the definition: false when the column has no statistics. */
      statistics?: boolean;
    }

    class ParquetSchema {
      constructor(definition: Record<string, FieldDefinition>);
      readonly fieldList: ParquetField[];
    }

    interface WriterOptions {
      rowGroupSize?: number;
      /** Rows per data page (default 8192). */
      pageSize?: number;
      /** Data page V2 (the default) or V1. */
      useDataPageV2?: boolean;
      /** false writes no ColumnIndex / OffsetIndex. */
      pageIndex?: boolean;
    }

    class ParquetWriter {
      static openStream(
        schema: ParquetSchema,
        stream: Writable,
        options?: WriterOptions,
      ): Promise<ParquetWriter>;
      /** The row is handed to shredRecord (lib/shred.js) as it is. */
      appendRow(row: unknown): Promise<void>;
      close(): Promise<void>;
    }
  }

  export = parquet;
}

declare module 'parquetjs-lite/lib/types.js' {
  interface LogicalType {
    primitiveType: string;
    originalType?: string;
    /** Turns a value given to the writer into what the column's plain encoder writes. */
    toPrimitive(value: unknown): unknown;
    fromPrimitive?(value: unknown): unknown;
  }
  const types: { PARQUET_LOGICAL_TYPES: Record<string, LogicalType> };
  export = types;
}

declare module 'parquetjs-lite/lib/shred.js' {
  import type { ParquetSchema } from 'parquetjs-lite';

  namespace shred {
    /** One column's values buffered for the current page (writer.js reads and resets these). */
    interface ColumnBuffer {
      dlevels: number[];
      rlevels: number[];
      values: unknown[];
      /** Page statistics are computed from this set: min and max with < and >, and its size. */
      distinct_values: Set<unknown>;
      count: number;
    }

    /** The writer's row buffer: empty ({}) at the start of each row group. */
    interface RowBuffer {
      rowCount?: number;
      pageRowCount?: number;
      columnData?: Record<string, ColumnBuffer>;
      pages?: Record<string, unknown[]>;
    }

    type ShredRecord = (schema: ParquetSchema, record: unknown, buffer: RowBuffer) => void;
  }

  const shred: { shredRecord: shred.ShredRecord };
  export = shred;
}
