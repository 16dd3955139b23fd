// writeParquet in this thread (the encoder runs it in worker threads), read back by DuckDB: the
// shredder and the library patches against parquetjs-lite's defects (rounded int64, pre-1970
// instants refused, text statistics in UTF-16 order).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatSchema } from '../../../../src/config/format-schema.js';
import { planOf } from '../../../../src/encoding/parquet/schema.js';
import { byteOrderKey } from '../../../../src/encoding/parquet/shred.js';
import { ParquetFileWriter, writeParquet } from '../../../../src/encoding/parquet/write.js';
import { queryRows, sqlString } from '../../../support/duckdb.js';

function plan(schema: Record<string, Record<string, unknown>>, options: Record<string, unknown> = {}) {
  const format = formatSchema.parse({ type: 'parquet', schema, ...options });
  assert.equal(format.type, 'parquet');
  return planOf(format);
}

const encode = (records: unknown[]) =>
  records.map((r) => Buffer.from(typeof r === 'string' ? r : JSON.stringify(r)));

describe('writeParquet (parquetjs-lite, patched), read by DuckDB', () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-parquet-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function written(records: unknown[], p: ReturnType<typeof plan>): Promise<string> {
    const reply = await writeParquet(encode(records), p);
    assert.ok(reply.file, `no file: ${JSON.stringify(reply.failures)}`);
    n += 1;
    const file = join(dir, `${n}.parquet`);
    await writeFile(file, reply.file);
    return sqlString(file);
  }

  it('orders text statistics by UTF-8 bytes, so DuckDB does not skip pages wrongly', async () => {
    // UTF-16 order puts "😀" (surrogates D83D DE00) before "！" (FF01); UTF-8 bytes (F0 vs EF) after.
    const file = await written(
      [{ s: '😀' }, { s: '！' }, { s: 'a' }, { s: 'é' }],
      plan({ s: { type: 'string' } }),
    );
    assert.deepEqual(await queryRows(`SELECT s FROM read_parquet(${file}) WHERE s = '😀'`), [{ s: '😀' }]);
    assert.deepEqual(await queryRows(`SELECT s FROM read_parquet(${file}) WHERE s > '！' ORDER BY s`), [
      { s: '😀' },
    ]);
    assert.deepEqual(
      await queryRows(`SELECT stats_min_value AS min, stats_max_value AS max FROM parquet_metadata(${file})`),
      [{ min: 'a', max: '😀' }],
    );
    assert.equal(byteOrderKey('abc'), 'abc');
    assert.equal(byteOrderKey('é'), '\u00c3\u00a9');
  });

  it('writes int64 beyond 2^53, and its statistics, exactly', async () => {
    const file = await written(
      [{ v: '9007199254740993' }, { v: '-9223372036854775808' }, { v: 5 }, { v: '9223372036854775807' }],
      plan({ v: { type: 'int64' } }),
    );
    assert.deepEqual(await queryRows(`SELECT v::VARCHAR AS v FROM read_parquet(${file})`), [
      { v: '9007199254740993' },
      { v: '-9223372036854775808' },
      { v: '5' },
      { v: '9223372036854775807' },
    ]);
    assert.deepEqual(
      await queryRows(`SELECT count(*)::INT AS n FROM read_parquet(${file}) WHERE v = 9007199254740993`),
      [{ n: 1 }],
    );
    assert.deepEqual(
      await queryRows(`SELECT stats_min_value AS min, stats_max_value AS max FROM parquet_metadata(${file})`),
      [{ min: '-9223372036854775808', max: '9223372036854775807' }],
    );
  });

  it('writes instants and dates before 1970 (the library refuses them) and microseconds exactly', async () => {
    const file = await written(
      [
        { ms: '1969-12-31T23:59:59.999Z', us: '1969-12-31T23:59:59.999999Z', d: '1969-12-31' },
        { ms: -62135596800000, us: '0001-01-01T00:00:00.000001Z', d: '0001-01-01' },
        { ms: '2026-01-02T03:04:05.123Z', us: '2026-01-02T03:04:05.123456Z', d: Date.UTC(2026, 0, 2, 23) },
        { ms: 0, us: '9999-12-31T23:59:59.999999Z', d: '9999-12-31' },
      ],
      plan({ ms: { type: 'timestamp' }, us: { type: 'timestamp', unit: 'micros' }, d: { type: 'date' } }),
    );
    const rows = await queryRows(
      `SELECT epoch_ms(ms)::VARCHAR AS ms, strftime(us, '%Y-%m-%dT%H:%M:%S.%fZ') AS us, d::VARCHAR AS d FROM read_parquet(${file})`,
    );
    assert.deepEqual(rows, [
      { ms: '-1', us: '1969-12-31T23:59:59.999999Z', d: '1969-12-31' },
      { ms: '-62135596800000', us: '0001-01-01T00:00:00.000001Z', d: '0001-01-01' },
      { ms: String(Date.UTC(2026, 0, 2, 3, 4, 5, 123)), us: '2026-01-02T03:04:05.123456Z', d: '2026-01-02' },
      { ms: '0', us: '9999-12-31T23:59:59.999999Z', d: '9999-12-31' },
    ]);
  });

  it('writes several row groups and pages, with nulls and lists of any length', async () => {
    // 18,000 rows in row groups of 10,000 (the default): the writer cuts a page every 8,192 rows
    // of a group, so the first group has two pages and the second one; lists cross the cuts.
    const records = Array.from({ length: 18_000 }, (_, i) => ({
      i,
      o: i % 3 === 0 ? null : `v${i}`,
      l: Array.from({ length: i % 4 }, (_, j) => i * 10 + j),
    }));
    const file = await written(
      records,
      plan({
        i: { type: 'int32' },
        o: { type: 'string', optional: true },
        l: { type: 'int64', repeated: true },
      }),
    );
    const rows = await queryRows(`SELECT i, o, l FROM read_parquet(${file})`);
    assert.deepEqual(rows, records);
    assert.deepEqual(
      await queryRows(
        `SELECT row_group_id::INT AS g, row_group_num_rows::INT AS n FROM parquet_metadata(${file}) WHERE path_in_schema = 'i' ORDER BY g`,
      ),
      [
        { g: 0, n: 10_000 },
        { g: 1, n: 8000 },
      ],
    );
  });

  it('leaves statistics out of json columns and keeps them elsewhere', async () => {
    const file = await written(
      [{ j: { big: 'x'.repeat(100) }, b: true }],
      plan({ j: { type: 'json' }, b: { type: 'boolean' } }),
    );
    assert.deepEqual(
      await queryRows(
        `SELECT path_in_schema AS c, stats_max_value AS max FROM parquet_metadata(${file}) ORDER BY c`,
      ),
      [
        { c: 'b', max: 'true' },
        { c: 'j', max: null },
      ],
    );
  });

  it('returns no file when no record converts, and lists failures by index', async () => {
    const reply = await writeParquet(encode([{ a: 'x' }, 'not json']), plan({ a: { type: 'int32' } }));
    assert.equal(reply.file, null);
    assert.equal(reply.rows, 0);
    assert.deepEqual(
      reply.failures.map((f) => [f.index, f.errorCode]),
      [
        [0, 'DataFormatConversion.MalformedData'],
        [1, 'DataFormatConversion.ParseError'],
      ],
    );
  });

  it('hands out each row group once it is encoded, keeping none of them', async () => {
    // Appends of 250 rows into row groups of 1,000: bytes come back exactly with the appends that
    // complete a group (the first one also opens the file), so nothing encoded stays behind.
    const writer = new ParquetFileWriter(plan({ i: { type: 'int32' } }, { rowGroupSize: 1000 }));
    const pieces: Uint8Array[] = [];
    const completing: number[] = [];
    for (let n = 0; n < 10; n += 1) {
      const { bytes, failures } = await writer.append(
        encode(Array.from({ length: 250 }, (_, k) => ({ i: n * 250 + k }))),
      );
      assert.deepEqual(failures, []);
      if (bytes) {
        completing.push(n);
        pieces.push(bytes);
      }
    }
    assert.deepEqual(completing, [0, 3, 7]);
    assert.equal(Buffer.from(pieces[0]?.subarray(0, 4) ?? []).toString(), 'PAR1');
    const last = await writer.finish();
    assert.ok(last);
    pieces.push(last);
    assert.equal(writer.rows, 2500);
    n += 1;
    const file = join(dir, `${n}.parquet`);
    await writeFile(file, Buffer.concat(pieces));
    const rows = await queryRows(`SELECT i FROM read_parquet(${sqlString(file)})`);
    assert.deepEqual(
      rows.map((row) => row.i),
      Array.from({ length: 2500 }, (_, i) => i),
    );
  });

  it('returns the file in a buffer of its own (transferable)', async () => {
    const reply = await writeParquet(encode([{ a: 1 }]), plan({ a: { type: 'int32' } }));
    assert.ok(reply.file);
    assert.equal(reply.file.byteOffset, 0);
    assert.equal(reply.file.byteLength, reply.file.buffer.byteLength);
    assert.equal(Buffer.from(reply.file.subarray(0, 4)).toString(), 'PAR1');
  });
});
