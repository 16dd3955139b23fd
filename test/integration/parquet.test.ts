// The Parquet encoder end to end: records through ParquetEncoder (real piscina threads), the
// file read back by DuckDB (an independent reader; parquetjs-lite's own reader cannot even read
// TIMESTAMP_MILLIS), rows compared with what was sent, types and codecs checked.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatSchema, type ParquetFormatConfig } from '../../src/config/format-schema.js';
import { ParquetEncoder } from '../../src/encoding/parquet/encoder.js';
import type { EncodeContext } from '../../src/encoding/types.js';
import type { OutputRecord } from '../../src/processing/records.js';
import { queryRows, sqlString } from '../support/duckdb.js';

function parquetFormat(compression: string): ParquetFormatConfig {
  const format = formatSchema.parse({
    type: 'parquet',
    compression,
    rowGroupSize: 100,
    schema: {
      id: { type: 'int64' },
      name: { type: 'string' },
      small: { type: 'int32' },
      ratio: { type: 'float' },
      price: { type: 'double' },
      flag: { type: 'boolean' },
      at: { type: 'timestamp', field: 'eventTime' },
      at_us: { type: 'timestamp', unit: 'micros', optional: true },
      day: { type: 'date' },
      doc: { type: 'json', optional: true },
      tags: { type: 'string', repeated: true, optional: true },
      nums: { type: 'int64', repeated: true },
    },
  });
  assert.equal(format.type, 'parquet');
  return format;
}

const BASE_MS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const COUNT = 300;

/** Record i as sent, and the row DuckDB should read back for it (in the query's text forms). */
function sample(i: number): { sent: Record<string, unknown>; row: Record<string, unknown> } {
  const id = i < 10 ? (2n ** 53n + BigInt(i)).toString() : i * 1000;
  const atMs = BASE_MS + i * 1000;
  const day = Date.UTC(2026, 0, 1 + (i % 28));
  const micros = String(i * 7).padStart(6, '0');
  const tags = Array.from({ length: i % 3 }, (_, j) => `t${j}-ü`);
  const sent: Record<string, unknown> = {
    id,
    name: `name-${i}-é😀`,
    small: i - 150,
    ratio: i / 4,
    price: i * 0.1,
    flag: i % 2 === 0,
    // ISO with an offset and epoch milliseconds, alternately.
    eventTime: i % 2 ? new Date(atMs + 3_600_000).toISOString().replace('Z', '+01:00') : atMs,
    at_us: i % 5 === 0 ? null : `2026-01-02T03:04:05.${micros}Z`,
    day: i % 2 ? new Date(day).toISOString().slice(0, 10) : day + 3_600_000,
    doc: i % 4 === 0 ? undefined : { i, nested: [i, 'x'], ok: true },
    tags: i % 7 === 0 ? undefined : tags,
    nums: [i, '9223372036854775807'],
    ignored: 'extra fields are ignored',
  };
  const row = {
    id: String(id),
    name: sent.name,
    small: i - 150,
    ratio: i / 4,
    price: i * 0.1,
    flag: i % 2 === 0,
    at: String(atMs),
    at_us: i % 5 === 0 ? null : `2026-01-02T03:04:05.${micros}Z`,
    day: new Date(day).toISOString().slice(0, 10),
    doc: i % 4 === 0 ? null : JSON.stringify({ i, nested: [i, 'x'], ok: true }),
    tags: i % 7 === 0 ? [] : tags,
    nums: [String(i), '9223372036854775807'],
  };
  return { sent, row };
}

/** Records the encoder must refuse, by index, with the code expected. */
const BAD: Record<number, { text: string; code: string; message: RegExp }> = {
  13: { text: '{"id": 1, "name": ', code: 'DataFormatConversion.ParseError', message: /not valid JSON/ },
  27: {
    text: JSON.stringify(sample(27).sent).replace('"id":27000', '"id":9007199254740993'),
    code: 'DataFormatConversion.MalformedData',
    message: /column "id" \(int64\): .*send int64 values this large as strings/,
  },
  41: {
    text: JSON.stringify({ ...sample(41).sent, eventTime: undefined }),
    code: 'DataFormatConversion.MissingField',
    message: /column "at": field "eventTime" is missing/,
  },
  55: {
    text: JSON.stringify({ ...sample(55).sent, small: 2 ** 31 }),
    code: 'DataFormatConversion.MalformedData',
    message: /outside the int32 range/,
  },
  69: {
    text: JSON.stringify({ ...sample(69).sent, tags: ['a', null] }),
    code: 'DataFormatConversion.MalformedData',
    message: /element 1 is null/,
  },
  83: { text: '[1, 2]', code: 'DataFormatConversion.MalformedData', message: /must be a JSON object/ },
  97: {
    text: JSON.stringify({ ...sample(97).sent, eventTime: '2026-01-02T03:04:05' }),
    code: 'DataFormatConversion.MalformedData',
    message: /has no time zone/,
  },
};

function record(i: number): OutputRecord {
  const text = BAD[i]?.text ?? JSON.stringify(sample(i).sent);
  return { recordId: `r${i}`, data: Buffer.from(text), arrivalMs: 1 };
}

async function* pagesOf(records: OutputRecord[], size: number): AsyncGenerator<OutputRecord[]> {
  for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size);
}

interface Failure {
  recordId: string;
  errorCode: string;
  errorMessage: string;
}

async function encodeAll(
  encoder: ParquetEncoder,
  records: OutputRecord[],
): Promise<{ chunks: Buffer[]; failures: Failure[] }> {
  const failures: Failure[] = [];
  const context: EncodeContext = {
    conversionFailed(failed, errorCode, errorMessage) {
      failures.push({ recordId: failed.recordId, errorCode, errorMessage });
    },
  };
  const chunks: Buffer[] = [];
  for await (const chunk of encoder.encode(pagesOf(records, 64), context)) chunks.push(chunk);
  return { chunks, failures };
}

const SELECT = `SELECT id::VARCHAR AS id, name, small, ratio, price, flag, epoch_ms("at")::VARCHAR AS "at",
  strftime(at_us, '%Y-%m-%dT%H:%M:%S.%fZ') AS at_us, day::VARCHAR AS day, doc, tags,
  list_transform(nums, x -> x::VARCHAR) AS nums`;

describe('ParquetEncoder (threads) read back by DuckDB', () => {
  let dir: string;
  const encoders: ParquetEncoder[] = [];
  const records = Array.from({ length: COUNT }, (_, i) => record(i));
  const good = Array.from({ length: COUNT }, (_, i) => i).filter((i) => !(i in BAD));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-parquet-it-'));
  });
  after(async () => {
    await Promise.all(encoders.map((e) => e.close()));
    await rm(dir, { recursive: true, force: true });
  });

  function encoderFor(compression: string): ParquetEncoder {
    const encoder = new ParquetEncoder(parquetFormat(compression), 2);
    encoders.push(encoder);
    return encoder;
  }

  async function fileOf(chunks: Buffer[], name: string): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, Buffer.concat(chunks));
    return sqlString(file);
  }

  for (const [compression, codec] of [
    ['none', 'UNCOMPRESSED'],
    ['snappy', 'SNAPPY'],
    ['gzip', 'GZIP'],
  ] as const) {
    it(`writes every type exactly and reports the bad records (${compression})`, async () => {
      const encoder = encoderFor(compression);
      const { chunks, failures } = await encodeAll(encoder, records);
      const file = await fileOf(chunks, `all-${compression}.parquet`);

      const rows = await queryRows(`${SELECT} FROM read_parquet(${file})`);
      assert.equal(rows.length, good.length);
      rows.forEach((row, n) => {
        assert.deepEqual(row, sample(good[n] as number).row, `row of record ${good[n]}`);
      });

      // The bad records: reported through the context with their reasons, in order, not in the file.
      assert.deepEqual(
        failures.map((f) => [f.recordId, f.errorCode]),
        Object.entries(BAD).map(([i, bad]) => [`r${i}`, bad.code]),
      );
      for (const failure of failures) {
        assert.match(
          failure.errorMessage,
          (BAD[Number(failure.recordId.slice(1))] as { message: RegExp }).message,
        );
      }

      const codecs = await queryRows(`SELECT DISTINCT compression FROM parquet_metadata(${file})`);
      assert.deepEqual(codecs, [{ compression: codec }]);
      // rowGroupSize 100: 293 rows in 3 row groups.
      const groups = await queryRows(
        `SELECT count(DISTINCT row_group_id)::INT AS n FROM parquet_metadata(${file})`,
      );
      assert.deepEqual(groups, [{ n: 3 }]);
    });
  }

  it('gives DuckDB the column types declared', async () => {
    const { chunks } = await encodeAll(encoderFor('snappy'), records.slice(0, 20));
    const file = await fileOf(chunks, 'types.parquet');
    const types = await queryRows(
      `SELECT column_name AS c, column_type AS t FROM (DESCRIBE SELECT * FROM read_parquet(${file}))`,
    );
    assert.deepEqual(types, [
      { c: 'id', t: 'BIGINT' },
      { c: 'name', t: 'VARCHAR' },
      { c: 'small', t: 'INTEGER' },
      { c: 'ratio', t: 'FLOAT' },
      { c: 'price', t: 'DOUBLE' },
      { c: 'flag', t: 'BOOLEAN' },
      { c: 'at', t: 'TIMESTAMP' },
      { c: 'at_us', t: 'TIMESTAMP' },
      { c: 'day', t: 'DATE' },
      { c: 'doc', t: 'VARCHAR' },
      { c: 'tags', t: 'VARCHAR[]' },
      { c: 'nums', t: 'BIGINT[]' },
    ]);
  });

  it('serves concurrent objects from one encoder, each with its own rows', async () => {
    const encoder = encoderFor('snappy');
    const parts = [0, 1, 2, 3].map((k) => good.slice(k * 60, k * 60 + 60));
    const results = await Promise.all(parts.map((part) => encodeAll(encoder, part.map(record))));
    for (const [k, result] of results.entries()) {
      assert.deepEqual(result.failures, []);
      const file = await fileOf(result.chunks, `concurrent-${k}.parquet`);
      const rows = await queryRows(`${SELECT} FROM read_parquet(${file})`);
      assert.deepEqual(
        rows,
        (parts[k] as number[]).map((i) => sample(i).row),
      );
    }
  });

  it('yields nothing when every record fails, and nothing for no records', async () => {
    const encoder = encoderFor('snappy');
    const bad = Object.keys(BAD).map((i) => record(Number(i)));
    const { chunks, failures } = await encodeAll(encoder, bad);
    assert.deepEqual(chunks, []);
    assert.equal(failures.length, bad.length);
    const empty = await encodeAll(encoder, []);
    assert.deepEqual(empty, { chunks: [], failures: [] });
  });

  it('closes safely twice and without use, and refuses to encode once closed', async () => {
    const unused = new ParquetEncoder(parquetFormat('none'), 1);
    await unused.close();
    await unused.close();
    const used = encoderFor('none');
    await encodeAll(used, records.slice(0, 3));
    await used.close();
    await used.close();
    await assert.rejects(encodeAll(used, records.slice(0, 3)), /the Parquet encoder is closed/);
  });

  it('never loads parquetjs-lite in the main thread', () => {
    // Run after the tests above: the library runs in the threads only.
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) =>
      path.includes('parquetjs-lite'),
    );
    assert.deepEqual(loaded, []);
  });
});
