import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DuckDBInstance, type JS } from '@duckdb/node-api';
import type { S3TestServer } from './s3server.js';

/** A DuckDB result value made plain for assert.deepStrictEqual. */
export type PlainValue = null | boolean | number | string | Uint8Array | Date | PlainValue[] | PlainRow;
export type PlainRow = { [column: string]: PlainValue };

// JSON has one number type, so integers come back as numbers; only those a double cannot hold
// exactly become strings (the digits are still comparable, and nothing is silently rounded).
function toPlain(value: JS): PlainValue {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Uint8Array) {
    return value;
  }
  if (Array.isArray(value)) return value.map(toPlain);
  const row: PlainRow = {};
  for (const [key, field] of Object.entries(value)) row[key] = toPlain(field);
  return row;
}

/**
 * Runs `sql` in a fresh in-memory DuckDB and returns the rows as plain objects: BIGINT and
 * friends become numbers when safe (else decimal strings), STRUCTs become objects, LISTs arrays,
 * TIMESTAMP/DATE become Date.
 */
export async function queryRows(sql: string): Promise<Record<string, unknown>[]> {
  // A fresh instance per call: nothing leaks between tests, and creating one takes milliseconds.
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJS().map((row) => toPlain(row) as PlainRow);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Quotes a string as a SQL literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Reads newline-delimited JSON files (or globs) with DuckDB's own JSON reader, as an
 * independent check of what Sluice wrote. Compression defaults to detection from the file
 * extension (.gz, .zst); pass it explicitly for extensionless files.
 *
 * Differences from JSON.parse worth knowing when comparing with sent records:
 * - the schema is the union over all rows and files, so a field missing from a row reads as null;
 * - strings stay strings: DuckDB's date/timestamp detection is switched off (see below);
 * - integers beyond 2^53 come back as decimal strings.
 */
export async function readNdjson(
  files: string[] | string,
  opts: { compression?: 'gzip' | 'zstd' | 'none' } = {},
): Promise<Record<string, unknown>[]> {
  const list = (Array.isArray(files) ? files : [files]).map(sqlString).join(', ');
  // DuckDB spells "none" as 'uncompressed'.
  const compression = opts.compression === 'none' ? 'uncompressed' : (opts.compression ?? 'auto_detect');
  // read_json has no switch to turn off date/timestamp detection, and it would turn
  // "2024-01-02" into a DATE. A format without any % specifier only matches its own literal
  // text, so no real value is converted ('%%' is not enough: it matches the string "%").
  // sample_size=-1 infers the schema from every row, so fields that first appear late are kept.
  const sql =
    `SELECT * FROM read_json([${list}], format = 'newline_delimited', compression = ${sqlString(compression)}, ` +
    `sample_size = -1, dateformat = 'sluice: no date detection', timestampformat = 'sluice: no timestamp detection')`;
  return queryRows(sql);
}

/**
 * GetObjects each key into a fresh temp directory (DuckDB here has no httpfs, so it cannot read
 * s3:// itself). File names keep the key's extensions so DuckDB can detect the compression;
 * `files` is in the order of `keys`.
 */
export async function downloadObjects(
  server: S3TestServer,
  bucket: string,
  keys: string[],
): Promise<{ dir: string; files: string[]; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-objects-'));
  try {
    const files: string[] = [];
    for (const [index, key] of keys.entries()) {
      // The index keeps names unique when keys share a basename under different prefixes.
      const file = join(dir, `${index}-${basename(key).replace(/[^A-Za-z0-9._-]/g, '_')}`);
      await writeFile(file, await server.getObject(bucket, key));
      files.push(file);
    }
    return { dir, files, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
