// The Parquet encoder streams: records go to the thread chunk by chunk while the object is read,
// and row groups come back as they are encoded. These tests would fail if the encoder went back
// to gathering the whole object first (bytes only after the last page), lost the order or the
// failures across chunk boundaries, or left a thread busy with an abandoned object.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatSchema, type ParquetFormatConfig } from '../../src/config/format-schema.js';
import { ParquetEncoder } from '../../src/encoding/parquet/encoder.js';
import type { EncodeContext } from '../../src/encoding/types.js';
import type { OutputRecord } from '../../src/processing/records.js';
import { queryRows, sqlString } from '../support/duckdb.js';

const ROW_GROUP = 1000;
const PAGE_RECORDS = 500;
// About 300 bytes a record: 40,000 records are some 12 MiB, a dozen of the encoder's 1 MiB chunks.
const COUNT = 40_000;
/**
 * What the encoder may read ahead of the first bytes it yields: the chunks in flight and the one
 * being gathered (1 MiB each, two in flight), and a page. Far less than the object.
 */
const READ_AHEAD_BYTES = 4 * 1024 * 1024;
const PAD = 'x'.repeat(280);

function format(): ParquetFormatConfig {
  const parsed = formatSchema.parse({
    type: 'parquet',
    compression: 'snappy',
    rowGroupSize: ROW_GROUP,
    schema: { seq: { type: 'int64' }, pad: { type: 'string' } },
  });
  assert.equal(parsed.type, 'parquet');
  return parsed;
}

/** Every 997th record is not JSON: failures land in every chunk, at no fixed place in it. */
const isBad = (i: number): boolean => i % 997 === 500;

function record(i: number): OutputRecord {
  const text = isBad(i) ? `{"seq": ${i},` : JSON.stringify({ seq: i, pad: PAD });
  return { recordId: `r${i}`, data: Buffer.from(text), arrivalMs: 1 };
}

/** Pages of records made on demand, counting the record bytes the encoder has asked for. */
function pagesOf(count: number, onPage?: (pulledBytes: number) => void): AsyncGenerator<OutputRecord[]> {
  return (async function* () {
    let pulled = 0;
    for (let start = 0; start < count; start += PAGE_RECORDS) {
      const end = Math.min(count, start + PAGE_RECORDS);
      const page = Array.from({ length: end - start }, (_, k) => record(start + k));
      pulled += page.reduce((sum, r) => sum + r.data.length, 0);
      onPage?.(pulled);
      yield page;
    }
  })();
}

function collectingContext(failed: string[]): EncodeContext {
  return {
    conversionFailed(failedRecord, errorCode) {
      assert.equal(errorCode, 'DataFormatConversion.ParseError');
      failed.push(failedRecord.recordId);
    },
  };
}

describe('ParquetEncoder streams row groups', () => {
  let dir: string;
  const encoders: ParquetEncoder[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-parquet-stream-'));
  });
  after(async () => {
    await Promise.all(encoders.map((encoder) => encoder.close()));
    await rm(dir, { recursive: true, force: true });
  });

  function encoder(threads: number): ParquetEncoder {
    const created = new ParquetEncoder(format(), threads);
    encoders.push(created);
    return created;
  }

  it('yields row groups while the object is still being read, and DuckDB reads them back whole and in order', async () => {
    let pulled = 0;
    const pulledAtYield: number[] = [];
    const failed: string[] = [];
    const chunks: Buffer[] = [];
    for await (const chunk of encoder(1).encode(
      pagesOf(COUNT, (n) => {
        pulled = n;
      }),
      collectingContext(failed),
    )) {
      chunks.push(chunk);
      pulledAtYield.push(pulled);
    }
    // Gathering first would pull every page before the first byte.
    assert.ok(
      (pulledAtYield[0] as number) <= READ_AHEAD_BYTES && READ_AHEAD_BYTES * 2 < pulled,
      `first bytes after ${pulledAtYield[0]} of ${pulled} bytes`,
    );
    // And it keeps streaming: never more than the read-ahead between two pieces of output.
    for (let k = 1; k < pulledAtYield.length; k += 1) {
      const ahead = (pulledAtYield[k] as number) - (pulledAtYield[k - 1] as number);
      assert.ok(ahead <= READ_AHEAD_BYTES, `${ahead} bytes read between pieces ${k - 1} and ${k}`);
    }
    assert.ok(chunks.length >= 10, `${chunks.length} pieces`);

    const file = join(dir, 'stream.parquet');
    await writeFile(file, Buffer.concat(chunks));
    const good = Array.from({ length: COUNT }, (_, i) => i).filter((i) => !isBad(i));
    const rows = await queryRows(`SELECT seq FROM read_parquet(${sqlString(file)})`);
    assert.deepEqual(
      rows.map((row) => row.seq),
      good,
    );
    const groups = await queryRows(
      `SELECT row_group_num_rows::INT AS n FROM parquet_metadata(${sqlString(file)}) WHERE path_in_schema = 'seq' ORDER BY row_group_id`,
    );
    const sizes = groups.map((group) => group.n);
    assert.equal(sizes.length, Math.ceil(good.length / ROW_GROUP));
    assert.ok(
      sizes.slice(0, -1).every((n) => n === ROW_GROUP),
      `row groups of ${sizes.join(', ')}`,
    );
    assert.deepEqual(
      failed,
      Array.from({ length: COUNT }, (_, i) => i)
        .filter(isBad)
        .map((i) => `r${i}`),
    );
  });

  it('frees the thread when the consumer stops early, or the records fail to arrive', async () => {
    // One thread: an object left holding it would make the last encode wait forever.
    const single = encoder(1);
    for await (const _ of single.encode(pagesOf(COUNT), collectingContext([]))) break;

    async function* failingPages(): AsyncGenerator<OutputRecord[]> {
      yield* pagesOf(3 * PAGE_RECORDS * 8);
      throw new Error('the buffer read failed');
    }
    const drain = async (): Promise<void> => {
      for await (const _ of single.encode(failingPages(), collectingContext([]))) {
        // consumed
      }
    };
    await assert.rejects(drain(), /the buffer read failed/);

    const failed: string[] = [];
    const chunks: Buffer[] = [];
    for await (const chunk of single.encode(pagesOf(2000), collectingContext(failed))) chunks.push(chunk);
    const file = join(dir, 'after.parquet');
    await writeFile(file, Buffer.concat(chunks));
    const [count] = await queryRows(`SELECT count(*)::INT AS n FROM read_parquet(${sqlString(file)})`);
    assert.deepEqual(count, { n: 2000 - failed.length });
  });

  it('drops an object whose session was queued behind a busy thread when its records fail', async () => {
    const single = encoder(1);
    const busy = single.encode(pagesOf(COUNT), collectingContext([]))[Symbol.asyncIterator]();
    assert.equal((await busy.next()).done, false);
    // The thread is held by `busy`, paused: this object's records fail before it gets the thread.
    async function* failingPages(): AsyncGenerator<OutputRecord[]> {
      yield* pagesOf(PAGE_RECORDS * 8);
      throw new Error('the buffer read failed');
    }
    const queued = (async () => {
      for await (const _ of single.encode(failingPages(), collectingContext([]))) {
        // consumed
      }
    })();
    await assert.rejects(queued, /the buffer read failed/);
    await busy.return?.();
    const chunks: Buffer[] = [];
    for await (const chunk of single.encode(pagesOf(100), collectingContext([]))) chunks.push(chunk);
    assert.ok(chunks.length > 0);
  });

  it('fails the object when the threads go away under it', async () => {
    const closing = encoder(1);
    const iterator = closing.encode(pagesOf(COUNT), collectingContext([]))[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    await closing.close();
    await assert.rejects(async () => {
      for (;;) if ((await iterator.next()).done) break;
    }, /Parquet encoding failed/);
  });
});
