// What lands is what query engines read: every format × compression is read back by DuckDB and
// equals the records put; dynamic partitioning writes one object per partition under the
// expected keys, and records it cannot place go to the error output with the reason; source
// backup keeps the records as they came.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { downloadObjects, queryRows, readNdjson, sqlString } from '../support/duckdb.js';
import { waitFor } from '../support/process.js';
import type { TestRedis } from '../support/redis.js';
import type { S3TestServer } from '../support/s3server.js';
import { type DaemonStack, deliveredLines, putRecords, startStack, type TestPorts } from './helpers.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/transforms/', import.meta.url));

interface Click {
  id: string;
  user_id: number;
  price: number | null;
  ts: string;
  tags: string[];
  customer?: { id: string };
  type?: string;
}

function clicks(count: number, tag: string): Click[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${tag}-${i}`,
    user_id: 1000 + i,
    price: i % 4 === 0 ? null : i * 1.5,
    ts: new Date(Date.UTC(2026, 10, 26, 12, 0, i)).toISOString(),
    tags: i % 2 === 0 ? ['a', 'b'] : [],
    customer: { id: `c${i % 5}` },
    type: ['view', 'click', 'buy'][i % 3] as string,
  }));
}

const plainStreams: [name: string, format: string, compression: string, extension: RegExp][] = [
  ['nd_none', '{ type: ndjson }', 'none', /-[0-9a-f-]{36}$/],
  ['nd_gzip', '{ type: ndjson }', 'gzip', /\.gz$/],
  ['nd_zstd', '{ type: ndjson }', 'zstd', /\.zst$/],
  ['raw_gzip', '{ type: raw, delimiter: "\\n" }', 'gzip', /\.gz$/],
];

describe('end to end: formats, partitioning, backup', () => {
  let stack: DaemonStack;
  let s3: S3TestServer;
  let redis: TestRedis;
  let ports: TestPorts;

  const s3Destination = (extra: string) => `
    destination:
      type: s3
      bucket: landing
      endpoint: ${s3.endpoint}
      forcePathStyle: true
      credentials: { accessKeyId: S3RVER, secretAccessKey: S3RVER }
${extra}`;

  before(async () => {
    stack = await startStack(['landing'], (services) => {
      ({ s3, redis, ports } = services);
      const plain = plainStreams
        .map(
          ([name, format, compression]) => `
  ${name}:
    buffering: { sizeMiB: 1, intervalSeconds: 1 }
    format: ${format}
    compression: ${compression}${s3Destination(`      prefix: "${name}/"`)}`,
        )
        .join('');
      return `
auth: { mode: none }
redis: { url: ${redis.url}, keyPrefix: ${redis.prefix} }
ingest: { port: ${ports.ingest} }
admin: { port: ${ports.admin} }
streams:${plain}
  leveled:
    buffering: { sizeMiB: 1, intervalSeconds: 1 }
    compression: zstd
    compressionLevel: 19${s3Destination(`      prefix: "leveled/"\n      fileExtension: .json.zst`)}
  parquet:
    buffering: { sizeMiB: 1, intervalSeconds: 1 }
    format:
      type: parquet
      compression: snappy
      rowGroupSize: 100
      schema:
        id: { type: string }
        user_id: { type: int64 }
        price: { type: double, optional: true }
        ts: { type: timestamp, unit: millis }
        tags: { type: string, repeated: true }
        customer: { type: json, optional: true }${s3Destination(`      prefix: "parquet/"
      errorOutputPrefix: "parquet-errors/"`)}
  by_customer:
    buffering: { sizeMiB: 1, intervalSeconds: 1 }
    compression: gzip
    partitioning:
      keys: { customer: .customer.id }
      maxActivePartitions: 3
    backup: { mode: failedOnly, prefix: "by_customer-backup/" }${s3Destination(`      prefix: "by_customer/customer=!{partitionKeyFromQuery:customer}/!{timestamp:yyyy}/"
      errorOutputPrefix: "by_customer-errors/"`)}
  by_type:
    buffering: { sizeMiB: 1, intervalSeconds: 1 }
    processing:
      - { type: transform, module: ${fixtures}partition-keys.mjs }
    backup: { mode: all, prefix: "by_type-backup/" }${s3Destination(`      prefix: "by_type/type=!{partitionKeyFromLambda:type}/"
      errorOutputPrefix: "by_type-errors/"`)}
`;
    });
  });

  after(async () => {
    await stack?.stop();
  });

  const put = (stream: string, records: object[]) => putRecords(ports.ingest, stream, records);

  async function keysUnder(prefix: string, atLeast: number): Promise<string[]> {
    return waitFor(
      async () => {
        const keys = await s3.listKeys('landing', prefix);
        return keys.length >= atLeast ? keys : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `${atLeast} objects under ${prefix}` },
    );
  }

  async function duckRows(keys: string[], reader: (files: string[]) => Promise<Record<string, unknown>[]>) {
    const files = await downloadObjects(s3, 'landing', keys);
    try {
      return await reader(files.files);
    } finally {
      await files.cleanup();
    }
  }

  it('lands NDJSON and raw in every compression, read back by DuckDB as the records put', async () => {
    const records = clicks(200, 'plain');
    for (const [name] of plainStreams) await put(name, records);
    for (const [name, , compression, extension] of plainStreams) {
      const keys = await keysUnder(`${name}/`, 1);
      for (const key of keys) assert.match(key, extension, key);
      const rows = await duckRows(keys, (files) =>
        readNdjson(files, { compression: compression as 'none' | 'gzip' | 'zstd' }),
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      assert.equal(rows.length, records.length, name);
      for (const record of records) {
        const row = byId.get(record.id);
        assert.ok(row, `${name}: ${record.id}`);
        assert.equal(row.user_id, record.user_id);
        assert.equal(row.price, record.price);
        assert.equal(row.ts, record.ts);
        assert.deepEqual(row.tags, record.tags);
      }
    }
  });

  it('lands Parquet that DuckDB reads with the declared types, and sends unconvertible records to the error output', async () => {
    const records: object[] = clicks(250, 'pq');
    records.push(
      { id: 'huge', user_id: '9007199254740993', price: 1, ts: '2026-11-26T12:00:00.123Z', tags: ['x'] },
      { id: 'bad-type', user_id: 'twelve', price: 1, ts: '2026-11-26T12:00:00Z', tags: [] },
      { id: 'bad-ts', user_id: 1, price: 1, ts: 'yesterday', tags: [] },
      { id: 'missing-ts', user_id: 1, price: 1, tags: [] },
    );
    await put('parquet', records);
    const keys = await keysUnder('parquet/', 1);
    assert.ok(
      keys.every((key) => key.endsWith('.parquet')),
      keys.join(),
    );
    const files = await downloadObjects(s3, 'landing', keys);
    try {
      const list = files.files.map(sqlString).join(', ');
      const rows = await queryRows(
        `SELECT id, CAST(user_id AS VARCHAR) AS user_id, price, strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, tags, customer FROM read_parquet([${list}]) ORDER BY id`,
      );
      assert.equal(rows.length, 251);
      const byId = new Map(rows.map((row) => [row.id, row]));
      assert.equal(byId.get('huge')?.user_id, '9007199254740993', 'int64 beyond 2^53 is exact');
      assert.equal(byId.get('huge')?.ts, '2026-11-26T12:00:00.123Z');
      for (const record of records.slice(0, 250) as Click[]) {
        const row = byId.get(record.id);
        assert.ok(row, record.id);
        assert.equal(row.user_id, String(record.user_id));
        assert.equal(row.price, record.price);
        assert.equal(row.ts, record.ts);
        assert.deepEqual(row.tags, record.tags);
        assert.equal(row.customer, JSON.stringify(record.customer));
      }
      const [types] = await queryRows(
        `SELECT typeof(user_id) AS user_id, typeof(ts) AS ts, typeof(tags) AS tags FROM read_parquet([${list}]) LIMIT 1`,
      );
      assert.deepEqual(types, { user_id: 'BIGINT', ts: 'TIMESTAMP', tags: 'VARCHAR[]' });
      const codecs = await queryRows(`SELECT DISTINCT compression FROM parquet_metadata([${list}])`);
      assert.deepEqual(
        codecs.map((c) => c.compression),
        ['SNAPPY'],
      );
    } finally {
      await files.cleanup();
    }
    const errors = await waitFor(
      async () => {
        const got = await deliveredLines(s3, 'landing', 'parquet-errors/');
        return got.lines.length >= 3 ? got : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'conversion failures' },
    );
    assert.ok(errors.keys.every((key) => key.startsWith('parquet-errors/format-conversion-failed/')));
    const failed = errors.lines.map(
      ({ line }) => JSON.parse(line) as { lastErrorCode: string; rawData: string },
    );
    assert.deepEqual(
      failed
        .map((f) => [(JSON.parse(Buffer.from(f.rawData, 'base64').toString()) as Click).id, f.lastErrorCode])
        .sort(),
      [
        ['bad-ts', 'DataFormatConversion.MalformedData'],
        ['bad-type', 'DataFormatConversion.MalformedData'],
        ['missing-ts', 'DataFormatConversion.MissingField'],
      ],
    );
  });

  it('applies the compression level and a fileExtension override', async () => {
    const records = clicks(50, 'leveled');
    await put('leveled', records);
    const keys = await keysUnder('leveled/', 1);
    assert.ok(
      keys.every((key) => key.endsWith('.json.zst')),
      keys.join(),
    );
    const rows = await duckRows(keys, (files) => readNdjson(files, { compression: 'zstd' }));
    assert.equal(rows.length, 50);
  });

  it('writes one object per partition key value, and routes records without a key or past the partition limit to the error output', async () => {
    // Five customers, but at most three partitions per batch; two records have no customer.
    const records: object[] = clicks(50, 'part');
    records.push({ id: 'no-customer-1' }, { id: 'no-customer-2', customer: { name: 'x' } });
    await put('by_customer', records);
    const errorLines = await waitFor(
      async () => {
        const { lines } = await deliveredLines(s3, 'landing', 'by_customer-errors/');
        return lines.length >= 22 ? lines : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'partitioning errors' },
    );
    const keys = await keysUnder('by_customer/', 3);
    const customers = keys.map((key) => /^by_customer\/customer=(c\d)\/\d{4}\//.exec(key)?.[1]);
    assert.equal(new Set(customers).size, 3, keys.join());
    assert.ok(customers.every((c) => c !== undefined));
    // Every record of a partition object has that partition's customer.
    const { lines } = await deliveredLines(s3, 'landing', 'by_customer/');
    for (const { key, line } of lines) {
      const customer = /customer=(c\d)/.exec(key)?.[1];
      assert.equal((JSON.parse(line) as Click).customer?.id, customer);
    }
    assert.equal(lines.length, 30, 'three customers × ten records');
    const codes = errorLines.map(({ key, line }) => {
      assert.match(key, /^by_customer-errors\/partitioning-failed\/\d{4}\//);
      const failure = JSON.parse(line) as { errorCode: string; rawData: string };
      return [
        (JSON.parse(Buffer.from(failure.rawData, 'base64').toString()) as Click).id,
        failure.errorCode,
      ] as const;
    });
    assert.equal(
      codes.filter(([, code]) => code === 'DynamicPartitioning.ActivePartitionExceeded').length,
      20,
    );
    assert.deepEqual(
      codes
        .filter(([, code]) => code === 'DynamicPartitioning.MissingPartitionKey')
        .map(([id]) => id)
        .sort(),
      ['no-customer-1', 'no-customer-2'],
    );
    // failedOnly backup: exactly the 22 records that failed, as they were put.
    const backup = await waitFor(
      async () => {
        const got = await deliveredLines(s3, 'landing', 'by_customer-backup/');
        return got.lines.length >= 22 ? got.lines : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the failed-only backup' },
    );
    assert.equal(backup.length, 22);
  });

  it("partitions by the transform's partition keys, and backs up every record as it came", async () => {
    const records: object[] = clicks(30, 'lambda');
    records.push({ id: 'untyped' });
    await put('by_type', records);
    const keys = await keysUnder('by_type/', 3);
    assert.deepEqual(keys.map((key) => /^by_type\/type=(\w+)\//.exec(key)?.[1]).sort(), [
      'buy',
      'click',
      'view',
    ]);
    const { lines } = await deliveredLines(s3, 'landing', 'by_type/');
    assert.equal(lines.length, 30);
    const errors = await waitFor(
      async () => {
        const got = await deliveredLines(s3, 'landing', 'by_type-errors/');
        return got.lines.length >= 1 ? got.lines : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the untyped record in the error output' },
    );
    const failure = JSON.parse(errors[0]?.line ?? '{}') as { errorCode: string; lambdaArn: string };
    assert.equal(failure.errorCode, 'DynamicPartitioning.MissingPartitionKey');
    assert.match(failure.lambdaArn, /partition-keys\.mjs#handler$/);
    const backupKeys = await keysUnder('by_type-backup/', 1);
    const backupRows = await duckRows(backupKeys, (files) => readNdjson(files, { compression: 'none' }));
    assert.equal(backupRows.length, 31, 'every record, including the one that failed');
  });
});
