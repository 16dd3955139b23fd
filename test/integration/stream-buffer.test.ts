// The buffer's Lua scripts against a real Redis: cuts are atomic and never overlap, the
// backlog limit refuses instead of evicting, completion trims only behind delivered batches.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Batch } from '../../src/buffer/batch.js';
import { packRecords } from '../../src/buffer/packing.js';
import { REQUEST_TOKENS_PER_GENERATION, StreamBuffer } from '../../src/buffer/stream-buffer.js';
import { type TestRedis, testRedis } from '../support/redis.js';

const KiB = 1024;

function records(count: number, size: number, tag: string): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`${tag}-${i}-`.padEnd(size, 'x')));
}

async function put(buffer: StreamBuffer, recs: Buffer[]) {
  const bytes = recs.reduce((sum, r) => sum + r.length, 0);
  return buffer.append(packRecords(recs, bytes), recs.length, bytes);
}

async function readAll(buffer: StreamBuffer, batch: Batch): Promise<string[]> {
  const out: string[] = [];
  for await (const page of buffer.readBatch(batch, 3)) {
    for (const entry of page) for (const record of entry.records) out.push(record.toString());
  }
  return out;
}

describe('StreamBuffer (real Redis)', () => {
  let r: TestRedis;
  before(async () => {
    r = await testRedis();
  });
  after(async () => {
    await r.cleanup();
  });

  it('reads a batch in pages of about the asked bytes, sized from the entries seen', async () => {
    const buffer = new StreamBuffer(r.redis, r.prefix, 'pages', {
      maxBacklogBytes: 10 * 1024 * KiB,
      batchSizeBytes: 30 * KiB,
    });
    // 30 entries (one per append) of 1 KiB each; the 30th cuts the batch.
    for (let i = 0; i < 30; i += 1) await put(buffer, records(1, KiB, `e${i}`));
    const batch = await buffer.getBatch(1);
    assert.ok(batch);
    const sizes: number[] = [];
    const read: string[] = [];
    for await (const page of buffer.readBatch(batch, 4 * KiB)) {
      sizes.push(page.length);
      for (const entry of page) for (const record of entry.records) read.push(record.toString());
    }
    // Two entries before any size is known, then ~4 KiB / (1 KiB + 4 B of framing) each.
    assert.deepEqual(sizes, [2, 4, 4, 4, 4, 4, 4, 4]);
    assert.equal(read.length, 30);
    assert.ok(read[29]?.startsWith('e29-0-'));
  });

  it('cuts by size inside the append, registering exactly the records since the cursor', async () => {
    const buffer = new StreamBuffer(r.redis, r.prefix, 'size', {
      maxBacklogBytes: 10 * 1024 * KiB,
      batchSizeBytes: 10 * KiB,
    });
    const first = await put(buffer, records(4, KiB, 'a')); // 4 KiB: below the trigger
    assert.equal(first.accepted && first.cutSeq, 0);
    const second = await put(buffer, records(7, KiB, 'b')); // 11 KiB: cuts
    assert.ok(second.accepted);
    assert.equal(second.cutSeq, 1);
    const batch = await buffer.getBatch(1);
    assert.ok(batch);
    assert.equal(batch.records, 11);
    assert.equal(batch.bytes, 11 * KiB);
    assert.equal(batch.trigger, 'size');
    assert.equal(batch.firstId, first.accepted ? first.entryId : '');
    assert.equal(batch.lastId, second.entryId);
    const read = await readAll(buffer, batch);
    assert.equal(read.length, 11);
    assert.ok(read[0]?.startsWith('a-0-'));
    assert.ok(read[10]?.startsWith('b-6-'));
    const stats = await buffer.stats();
    assert.equal(stats.pendingBytes, 0);
    assert.equal(stats.backlogBytes, 11 * KiB);
    assert.equal(stats.openBatches, 1);
  });

  it('cuts by time only once the oldest pending record has waited the interval', async () => {
    const buffer = new StreamBuffer(r.redis, r.prefix, 'time', {
      maxBacklogBytes: 1024 * KiB,
      batchSizeBytes: 1024 * KiB,
    });
    assert.deepEqual(await buffer.cutDue(0), { cutSeq: 0, waitMs: -1 }, 'nothing pending, nothing cut');
    await put(buffer, records(3, 100, 't'));
    const early = await buffer.cutDue(60_000);
    assert.equal(early.cutSeq, 0);
    assert.ok(early.waitMs > 55_000 && early.waitMs <= 60_000, `waitMs ${early.waitMs}`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const due = await buffer.cutDue(20);
    assert.equal(due.cutSeq, 1);
    const batch = await buffer.getBatch(1);
    assert.equal(batch?.trigger, 'time');
    assert.equal(batch?.records, 3);
  });

  it('refuses an append that would pass the backlog limit, and takes it again once delivered', async () => {
    const buffer = new StreamBuffer(r.redis, r.prefix, 'full', {
      maxBacklogBytes: 8 * KiB,
      batchSizeBytes: 4 * KiB,
    });
    const a = await put(buffer, records(5, KiB, 'a')); // 5 KiB, cut as batch 1
    assert.ok(a.accepted && a.cutSeq === 1);
    const b = await put(buffer, records(4, KiB, 'b')); // 9 KiB > 8 KiB
    assert.deepEqual(b, { accepted: false, backlogBytes: 5 * KiB });
    assert.equal(await r.redis.xlen(buffer.keys.records), 1, 'a refused append stores nothing');
    assert.equal(await buffer.complete(1), true);
    const c = await put(buffer, records(4, KiB, 'c'));
    assert.ok(c.accepted);
  });

  it('stores a re-sent append once and answers it with the entry it made, for thousands of requests back', async () => {
    const buffer = new StreamBuffer(r.redis, r.prefix, 'resend', {
      maxBacklogBytes: 1024 * 1024 * KiB,
      batchSizeBytes: 1024 * 1024 * KiB,
    });
    const recs = records(2, 10, 'r');
    const packed = packRecords(recs, 20);
    const first = await buffer.append(packed, 2, 20, 'token-1');
    const again = await buffer.append(packed, 2, 20, 'token-1');
    assert.ok(first.accepted && again.accepted);
    assert.equal(again.entryId, first.entryId);
    assert.equal(again.cutSeq, 0);
    assert.equal(await r.redis.xlen(buffer.keys.records), 1);
    // Other requests in between: the token is still known a generation later.
    const other = packRecords(records(1, 5, 'o'), 5);
    await Promise.all(
      Array.from({ length: REQUEST_TOKENS_PER_GENERATION + 10 }, (_, i) =>
        buffer.append(other, 1, 5, `other-${i}`),
      ),
    );
    const late = await buffer.append(packed, 2, 20, 'token-1');
    assert.ok(late.accepted);
    assert.equal(late.entryId, first.entryId, 'remembered across a generation change');
    assert.equal(await r.redis.xlen(buffer.keys.records), REQUEST_TOKENS_PER_GENERATION + 11);
    const meta = await r.redis.hget(buffer.keys.meta, 'pendingRecords');
    assert.equal(Number(meta), 2 + REQUEST_TOKENS_PER_GENERATION + 10, 'counted once');
  });

  it('an empty backlog takes one request even if it is larger than the limit', async () => {
    const buffer = new StreamBuffer(r.redis, r.prefix, 'tiny', {
      maxBacklogBytes: KiB,
      batchSizeBytes: 64 * KiB,
    });
    assert.ok((await put(buffer, records(4, KiB, 'x'))).accepted);
    assert.equal((await put(buffer, records(1, 10, 'y'))).accepted, false);
  });

  it('trims the stream only up to the oldest batch not yet delivered', async () => {
    const buffer = new StreamBuffer(r.redis, r.prefix, 'trim', {
      maxBacklogBytes: 1024 * KiB,
      batchSizeBytes: 2 * KiB,
    });
    for (let i = 0; i < 3; i += 1) await put(buffer, records(2, KiB, `batch${i}`)); // three batches
    await put(buffer, records(1, 100, 'pending')); // pending, not cut
    assert.deepEqual(await buffer.openBatchSeqs(), [1, 2, 3]);
    assert.equal(await r.redis.xlen(buffer.keys.records), 4);

    assert.equal(await buffer.complete(2), true); // out of order: batch 1 still needs its entry
    assert.equal(await r.redis.xlen(buffer.keys.records), 4);
    assert.equal(await buffer.complete(2), false, 'completing twice is a no-op');

    assert.equal(await buffer.complete(1), true); // now entries of 1 and 2 can go
    assert.equal(await r.redis.xlen(buffer.keys.records), 2);
    assert.equal(await buffer.complete(3), true); // only the pending entry remains
    assert.equal(await r.redis.xlen(buffer.keys.records), 1);
    const stats = await buffer.stats();
    assert.equal(stats.backlogBytes, 100);
    assert.equal(stats.openBatches, 0);

    const cut = await buffer.cutDue(0);
    assert.equal(cut.cutSeq, 4);
    assert.equal(await buffer.complete(4), true);
    assert.equal(await r.redis.xlen(buffer.keys.records), 0, 'nothing open or pending: all trimmed');
    assert.equal((await buffer.stats()).oldestUndeliveredMs, undefined);
  });

  it('never cuts the same records twice when many clients append and cut at once', async () => {
    const clients = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const client = new Redis(r.url, { lazyConnect: true });
        await client.connect();
        return client;
      }),
    );
    try {
      const buffers = clients.map(
        (client) =>
          new StreamBuffer(client, r.prefix, 'race', {
            maxBacklogBytes: 64 * 1024 * KiB,
            batchSizeBytes: 8 * KiB,
          }),
      );
      const sent = new Set<string>();
      await Promise.all(
        buffers.map(async (buffer, c) => {
          for (let i = 0; i < 60; i += 1) {
            const recs = records(3, 700, `c${c}r${i}`);
            for (const rec of recs) sent.add(rec.toString());
            await put(buffer, recs);
            await buffer.cutDue(0);
          }
        }),
      );
      await buffers[0]?.cutDue(0);
      const first = buffers[0] as StreamBuffer;
      const seen = new Map<string, number>();
      const seqs = await first.openBatchSeqs();
      let previousLast = '';
      for (const seq of seqs) {
        const batch = (await first.getBatch(seq)) as Batch;
        assert.ok(
          previousLast === '' || compareIds(batch.firstId, previousLast) > 0,
          'batches do not overlap',
        );
        previousLast = batch.lastId;
        for (const rec of await readAll(first, batch)) seen.set(rec, (seen.get(rec) ?? 0) + 1);
      }
      assert.equal(seen.size, sent.size, 'every record is in some batch');
      assert.ok(
        [...seen.values()].every((n) => n === 1),
        'no record is in two batches',
      );
      assert.equal((await first.stats()).pendingBytes, 0);
    } finally {
      await Promise.all(clients.map((client) => client.quit()));
    }
  });
});

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}
