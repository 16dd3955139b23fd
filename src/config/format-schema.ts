// Output format, dynamic partitioning and source backup of a stream: what lands, and where.
import { z } from 'zod';
import { parseJsonPath } from '../partitioning/json-path.js';

const ndjsonFormat = z
  .strictObject({
    type: z
      .literal('ndjson')
      .describe('NDJSON: each record followed by a newline, unless it already ends with one.'),
  })
  .describe('NDJSON output.');

const rawFormat = z
  .strictObject({
    type: z.literal('raw').describe('The records exactly as they came, one after the other.'),
    delimiter: z
      .string()
      .max(64, { error: 'must be at most 64 characters' })
      .default('')
      .describe('Text written after every record, e.g. "\\n"; none by default, as Firehose.'),
  })
  .describe('Raw output.');

export const parquetColumnSchema = z
  .strictObject({
    type: z
      .enum(['string', 'int32', 'int64', 'float', 'double', 'boolean', 'timestamp', 'date', 'json'], {
        error: 'must be one of string, int32, int64, float, double, boolean, timestamp, date, json',
      })
      .describe(
        'Column type. `int64` is exact: JSON numbers within ±(2^53−1), or decimal strings up to the 64-bit range; `timestamp` takes ISO-8601 strings with a zone (Z or an offset) or epoch milliseconds; `json` stores any value as its JSON text.',
      ),
    unit: z.enum(['millis', 'micros']).default('millis').describe('Precision of a `timestamp` column.'),
    optional: z.boolean().default(false).describe('The field may be missing or null.'),
    repeated: z.boolean().default(false).describe('The field is a JSON array of values of this type.'),
    field: z
      .string()
      .min(1)
      .optional()
      .describe('The JSON field the column reads, when it differs from the column name.'),
  })
  .describe('A Parquet column.');

const parquetFormat = z
  .strictObject({
    type: z.literal('parquet').describe('Apache Parquet, written by parquetjs-lite in worker threads.'),
    compression: z
      .enum(['none', 'snappy', 'gzip'])
      .default('snappy')
      .describe('The Parquet page codec (the codecs parquetjs-lite supports).'),
    rowGroupSize: z
      .number({ error: 'must be an integer between 100 and 200000' })
      .int({ error: 'must be an integer between 100 and 200000' })
      .min(100, { error: 'must be an integer between 100 and 200000' })
      .max(200_000, { error: 'must be an integer between 100 and 200000' })
      .default(10_000)
      .describe('Rows per row group; an encoder thread holds a row group in memory while it writes it.'),
    schema: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be a column name of letters, digits and _' }),
        parquetColumnSchema,
      )
      .refine((columns) => Object.keys(columns).length > 0, { error: 'must declare at least one column' })
      .describe('Columns, by name. Each JSON record is converted field by field; extra fields are ignored.'),
  })
  .describe('Parquet output.');

export const formatSchema = z
  .discriminatedUnion('type', [ndjsonFormat, rawFormat, parquetFormat], {
    error: 'must have a `type` of ndjson, raw or parquet',
  })
  .describe('How records are written into an object.');

const jsonPath = z.string().superRefine((path, ctx) => {
  try {
    parseJsonPath(path);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const partitioningSchema = z
  .strictObject({
    keys: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, _ or -' }),
        jsonPath,
      )
      .default({})
      .describe(
        'Partition keys read from each JSON record, by name: a jq-style path such as `.customer_id`, `.event.type`, `.tags[0]` or `.["odd key"]`. Use them in the prefix as `!{partitionKeyFromQuery:name}`.',
      ),
    maxActivePartitions: z
      .number({ error: 'must be an integer between 1 and 5000' })
      .int({ error: 'must be an integer between 1 and 5000' })
      .min(1, { error: 'must be an integer between 1 and 5000' })
      .max(5000, { error: 'must be an integer between 1 and 5000' })
      .default(500)
      .describe(
        "Most partitions (objects) one batch may write, as Firehose's active partition limit; records of further partitions go to the error output (`DynamicPartitioning.ActivePartitionExceeded`).",
      ),
  })
  .describe(
    "Dynamic partitioning: one object per distinct evaluated prefix per batch. Keys come from `keys` here and from a transform's `metadata.partitionKeys` (`!{partitionKeyFromLambda:name}`).",
  );

export const backupSchema = z
  .strictObject({
    mode: z
      .enum(['all', 'failedOnly'])
      .describe('`all`: every record as it came; `failedOnly`: the records that went to the error output.'),
    prefix: z
      .string()
      .max(1024, { error: 'must be at most 1024 characters' })
      .default('backup/')
      .describe(
        'Key prefix of the backup objects; timestamp and random-string expressions work as in `prefix`.',
      ),
  })
  .describe('Source record backup: the records as they were put, before any processing, newline-delimited.');

export type FormatConfig = z.infer<typeof formatSchema>;
export type ParquetFormatConfig = Extract<FormatConfig, { type: 'parquet' }>;
export type ParquetColumnConfig = z.infer<typeof parquetColumnSchema>;
export type PartitioningConfig = z.infer<typeof partitioningSchema>;
export type BackupConfig = z.infer<typeof backupSchema>;
