// The benchmark's scenarios (issue 5). Each is one delivery stream configuration plus how it is
// loaded and what is measured. Scenarios that need features Sluice does not have yet are listed
// with the reason, so the report shows the gap instead of a made-up figure.
import type { RecordShape } from './corpus.js';

export type Compression = 'none' | 'gzip' | 'zstd';

/** A Parquet column as the daemon's config takes it (src/config/format-schema.ts). */
export interface ParquetColumn {
  type: 'string' | 'int32' | 'int64' | 'float' | 'double' | 'boolean' | 'timestamp' | 'date' | 'json';
  optional?: boolean;
  repeated?: boolean;
  unit?: 'millis' | 'micros';
  field?: string;
}

/** The stream's `format`, written into the generated config as is. */
export type Format =
  | { type: 'ndjson' }
  | {
      type: 'parquet';
      compression: 'none' | 'snappy' | 'gzip';
      rowGroupSize: number;
      schema: Record<string, ParquetColumn>;
    };

export interface Scenario {
  name: string;
  description: string;
  format: Format;
  compression: Compression;
  /** Run the identity transform fixture (bench/fixtures/identity-transform.ts) on every record. */
  transform: boolean;
  /** The corpus's record shape: Parquet columns read top-level fields, so it gets flat records. */
  shape: RecordShape;
  /** `keys` forces authenticated requests whatever --auth says. */
  auth?: 'keys';
  sizeMiB: number;
  intervalSeconds: number;
  maxBacklogMiB: number;
  /** `--roles` of the daemon; ingest-only runs without the worker, so nothing is ever delivered. */
  roles: string;
  /** Wait until every acked record is delivered, then count and check the objects in S3. */
  delivers: boolean;
  /** Run at a fixed offered rate and measure ack → object visible for every request. */
  endToEnd: boolean;
}

/**
 * The Parquet scenario's table: 20 columns over the flat clickstream record (corpus.ts
 * flatClickEvent), snake_case as lake tables name them, each reading its camelCase field. Eight
 * of the record's 28 fields are not in the table (ignored, as Firehose's record format
 * conversion ignores fields its table lacks). `bench_seq` holds the request marker, so the
 * exactly-once check works on Parquet too.
 */
export const CLICKSTREAM_PARQUET_SCHEMA: Record<string, ParquetColumn> = {
  bench_seq: { type: 'int64', optional: true, field: 'benchSeq' },
  event_id: { type: 'string', field: 'eventId' },
  user_id: { type: 'string', optional: true, field: 'userId' },
  session_id: { type: 'string', field: 'sessionId' },
  event: { type: 'string' },
  ts: { type: 'timestamp', unit: 'millis', field: 'timestamp' },
  user_agent: { type: 'string', field: 'userAgent' },
  page_url: { type: 'string', field: 'pageUrl' },
  page_path: { type: 'string', field: 'pagePath' },
  referrer: { type: 'string' },
  device_type: { type: 'string', field: 'deviceType' },
  screen_width: { type: 'int32', field: 'screenWidth' },
  country: { type: 'string' },
  city: { type: 'string' },
  lat: { type: 'double' },
  items: { type: 'json' },
  value: { type: 'double' },
  checkout_v2: { type: 'boolean', field: 'checkoutV2' },
  time_on_page_ms: { type: 'int64', field: 'timeOnPageMs' },
  scroll_depth: { type: 'double', field: 'scrollDepth' },
};

export interface ScenarioSettings {
  /** buffering.sizeMiB of the delivery scenarios. */
  bufferMiB: number;
}

export function scenarios(settings: ScenarioSettings): Scenario[] {
  const NDJSON: Format = { type: 'ndjson' };
  const delivery = (name: string, description: string, fields: Partial<Scenario>): Scenario => ({
    name,
    description: `open loop, ${description} to S3 (s3rver), ${settings.bufferMiB} MiB / 1 s buffers`,
    format: NDJSON,
    compression: 'zstd',
    transform: false,
    shape: 'nested',
    sizeMiB: settings.bufferMiB,
    // 1 s so the last partial batch is cut soon after the load stops: the drain time then
    // measures delivery, not the buffer interval.
    intervalSeconds: 1,
    maxBacklogMiB: 4096,
    roles: 'ingest,cutter,worker',
    delivers: true,
    endToEnd: false,
    ...fields,
  });
  const ingestOnly = (auth: boolean): Scenario => ({
    name: auth ? 'ingest-only-signed' : 'ingest-only',
    description:
      'open loop, acked into Redis; no delivery worker (128 MiB / 900 s buffers)' +
      (auth
        ? '; auth mode keys: every PutRecordBatch SigV4-signed per request (a bearer token with --api ndjson)'
        : ''),
    format: NDJSON,
    compression: 'zstd',
    transform: false,
    shape: 'nested',
    ...(auth ? { auth: 'keys' as const } : {}),
    sizeMiB: 128,
    intervalSeconds: 900,
    maxBacklogMiB: 1024 * 1024,
    roles: 'ingest,cutter',
    delivers: false,
    endToEnd: false,
  });
  const latency = (intervalSeconds: number): Scenario => ({
    name: intervalSeconds === 1 ? 'latency' : `latency-interval-${intervalSeconds}`,
    description: `fixed rate, NDJSON + zstd to S3, interval ${intervalSeconds} s; ack → object visible`,
    format: NDJSON,
    compression: 'zstd',
    transform: false,
    shape: 'nested',
    sizeMiB: 64,
    intervalSeconds,
    maxBacklogMiB: 4096,
    roles: 'ingest,cutter,worker',
    delivers: true,
    endToEnd: true,
  });
  return [
    ingestOnly(false),
    ingestOnly(true),
    delivery('s3-ndjson-zstd', 'NDJSON + zstd', { compression: 'zstd' }),
    delivery('s3-ndjson-gzip', 'NDJSON + gzip', { compression: 'gzip' }),
    delivery(
      's3-transform-identity',
      'identity transform (JSON.parse + JSON.stringify of every record, Firehose Lambda contract), NDJSON + zstd',
      { compression: 'zstd', transform: true },
    ),
    delivery(
      's3-parquet',
      `Parquet (snappy, ${Object.keys(CLICKSTREAM_PARQUET_SCHEMA).length} columns, row groups of 10,000) of flat clickstream records`,
      {
        format: {
          type: 'parquet',
          compression: 'snappy',
          rowGroupSize: 10_000,
          schema: CLICKSTREAM_PARQUET_SCHEMA,
        },
        compression: 'none',
        shape: 'flat',
      },
    ),
    latency(1),
    latency(0),
  ];
}

export interface UnavailableScenario {
  name: string;
  reason: string;
}

/**
 * Issue 5 scenarios the benchmark cannot run yet: none at the moment. A scenario that needs a
 * daemon feature still missing is listed here with the reason, so the report shows the gap
 * instead of a made-up figure.
 */
export function unavailableScenarios(): UnavailableScenario[] {
  return [];
}
