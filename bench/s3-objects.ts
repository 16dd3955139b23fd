// Reading what landed in S3: every object is fetched, decompressed and its lines and request
// markers counted, so "delivered" is what S3 holds, not what the daemon says it sent. The marker
// check also proves delivery was exactly once: each acked request once, no refused request.
// Parquet objects are read by DuckDB (downloaded first: this DuckDB has no httpfs): rows
// counted, and the markers read from the column that holds the `benchSeq` field.
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { DecompressStream } from 'zstd-napi';
import { downloadObjects, queryRows, sqlString } from '../test/support/duckdb.js';
import type { S3TestServer } from '../test/support/s3server.js';
import { MARKER } from './corpus.js';

const MARKER_BYTES = Buffer.from(MARKER);
const NEWLINE = 0x0a;
const COMMA = 0x2c;

export interface ObjectScan {
  lines: number;
  rawBytes: number;
  /** Request markers (their sequence numbers) in the object, in order. */
  seqs: number[];
}

/**
 * Decompresses by extension, failing on a truncated object. zstd-napi's one-shot decompress()
 * is not used: on a truncated streamed frame it returns the part it could decode without an
 * error (and it has refused some valid streamed frames), which would hide a short object.
 */
export async function decompressObject(key: string, data: Buffer): Promise<Buffer> {
  if (key.endsWith('.gz')) return gunzipSync(data);
  if (!key.endsWith('.zst')) return data;
  const chunks: Buffer[] = [];
  await pipeline(Readable.from([data]), new DecompressStream(), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

export async function scanObject(key: string, data: Buffer): Promise<ObjectScan> {
  const raw = await decompressObject(key, data);
  let lines = 0;
  for (let at = raw.indexOf(NEWLINE); at !== -1; at = raw.indexOf(NEWLINE, at + 1)) lines += 1;
  const seqs: number[] = [];
  for (let at = raw.indexOf(MARKER_BYTES); at !== -1; at = raw.indexOf(MARKER_BYTES, at + 1)) {
    const start = at + MARKER_BYTES.length;
    const end = raw.indexOf(COMMA, start);
    seqs.push(Number(raw.toString('latin1', start, end)));
  }
  return { lines, rawBytes: raw.length, seqs };
}

export interface BucketCheck {
  objects: number;
  objectBytes: number;
  /** NDJSON lines, or Parquet rows. */
  lines: number;
  /** Decompressed bytes of the NDJSON objects (Parquet objects: not counted). */
  rawBytes: number;
  /** Acked requests whose marker is in no object. */
  missing: number;
  /** Markers found more than once. */
  duplicates: number;
  /** Markers of requests that were refused or failed (they must not land). */
  unexpected: number;
  problems: string[];
}

export interface ExpectedContent {
  records: number;
  ackedSeqs: readonly number[];
  notAckedSeqs: readonly number[];
  /** Parquet: the column holding the marker's `benchSeq` field. */
  markerColumn?: string;
}

/** Reads back every object under `prefix` and compares them with what the load generator was acked. */
export async function checkBucket(
  s3: S3TestServer,
  bucket: string,
  prefix: string,
  expected: ExpectedContent,
): Promise<BucketCheck> {
  const keys = await s3.listKeys(bucket, prefix);
  const seen = new Map<number, number>();
  const count = (seq: number): void => {
    seen.set(seq, (seen.get(seq) ?? 0) + 1);
  };
  let objectBytes = 0;
  let lines = 0;
  let rawBytes = 0;
  const parquetKeys: string[] = [];
  for (const key of keys) {
    if (key.endsWith('.parquet')) {
      parquetKeys.push(key);
      continue;
    }
    const data = await s3.getObject(bucket, key);
    objectBytes += data.length;
    const scan = await scanObject(key, data);
    lines += scan.lines;
    rawBytes += scan.rawBytes;
    for (const seq of scan.seqs) count(seq);
  }
  if (parquetKeys.length > 0) {
    const parquet = await scanParquet(s3, bucket, parquetKeys, expected.markerColumn);
    objectBytes += parquet.objectBytes;
    lines += parquet.rows;
    for (const seq of parquet.seqs) count(seq);
  }
  const missing = expected.ackedSeqs.filter((seq) => !seen.has(seq)).length;
  const duplicates = [...seen.values()].filter((n) => n > 1).length;
  const unexpected = expected.notAckedSeqs.filter((seq) => seen.has(seq)).length;
  const problems: string[] = [];
  if (lines !== expected.records) problems.push(`S3 holds ${lines} records, ${expected.records} were acked`);
  if (missing > 0) problems.push(`${missing} acked requests are missing from S3`);
  if (duplicates > 0) problems.push(`${duplicates} requests landed more than once`);
  if (unexpected > 0) problems.push(`${unexpected} refused requests landed in S3`);
  return { objects: keys.length, objectBytes, lines, rawBytes, missing, duplicates, unexpected, problems };
}

/** Row count and markers of Parquet objects, read by DuckDB from downloaded copies. */
async function scanParquet(
  s3: S3TestServer,
  bucket: string,
  keys: string[],
  markerColumn: string | undefined,
): Promise<{ rows: number; seqs: number[]; objectBytes: number }> {
  const download = await downloadObjects(s3, bucket, keys);
  try {
    let objectBytes = 0;
    for (const file of download.files) objectBytes += (await stat(file)).size;
    const files = `[${download.files.map(sqlString).join(', ')}]`;
    const [total] = await queryRows(`SELECT count(*) AS n FROM read_parquet(${files})`);
    const seqs = markerColumn
      ? (
          await queryRows(
            `SELECT "${markerColumn}" AS seq FROM read_parquet(${files}) WHERE "${markerColumn}" IS NOT NULL`,
          )
        ).map((row) => Number(row.seq))
      : [];
    return { rows: Number(total?.n ?? 0), seqs, objectBytes };
  } finally {
    await download.cleanup();
  }
}

/**
 * The first error-output record of the objects under `prefix` (what the daemon said failed, and
 * why), for the report; undefined when there is none.
 */
export async function firstErrorRecord(
  s3: S3TestServer,
  bucket: string,
  keys: readonly string[],
): Promise<string | undefined> {
  const key = keys[0];
  if (key === undefined) return undefined;
  try {
    const raw = await decompressObject(key, await s3.getObject(bucket, key));
    const line = raw.toString('utf8', 0, Math.min(raw.length, 64 * 1024)).split('\n')[0] ?? '';
    const record = JSON.parse(line) as { errorCode?: string; errorMessage?: string };
    return `${key}: ${record.errorCode}: ${record.errorMessage}`;
  } catch (error) {
    return `${key}: could not read it (${(error as Error).message})`;
  }
}
