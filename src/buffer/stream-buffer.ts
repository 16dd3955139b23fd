// The durable buffer of one delivery stream: a Redis stream of packed ingest requests plus
// the batch registry. Every state change goes through one Lua script (scripts.ts), so several
// daemon processes can share a stream without losing or double-cutting a batch.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type Batch, entryTimeMs, parseBatchDescriptor } from './batch.js';
import { requestTokenKeys, type StreamKeys, streamKeys, writtenKeysKey } from './keys.js';
import { unpackRecords } from './packing.js';
import { scripts } from './scripts.js';

export type AppendResult =
  | { accepted: true; entryId: string; cutSeq: number }
  | { accepted: false; backlogBytes: number };

export interface BufferStats {
  backlogBytes: number;
  pendingBytes: number;
  pendingRecords: number;
  openBatches: number;
  /** Arrival time of the oldest record not yet delivered, or undefined when nothing waits. */
  oldestUndeliveredMs: number | undefined;
}

/** One stream entry as read back: its ID and its records (views into the entry's payload). */
export interface EntryRecords {
  entryId: string;
  records: Buffer[];
}

/**
 * Request tokens kept per generation (lua/append.lua): a re-sent append is recognised as long
 * as fewer than this many other requests reached the stream meanwhile. A re-send comes right
 * after the reconnect, behind at most the requests that were in flight with it.
 */
export const REQUEST_TOKENS_PER_GENERATION = 4096;

export interface StreamBufferLimits {
  maxBacklogBytes: number;
  batchSizeBytes: number;
}

/** The first page of a batch is read before any entry size is known. */
const FIRST_PAGE_ENTRIES = 2;
/** Entries of a few bytes would otherwise make pages of millions of entries. */
const MAX_PAGE_ENTRIES = 4096;

export class StreamBuffer {
  readonly keys: StreamKeys;

  constructor(
    readonly redis: Redis,
    keyPrefix: string,
    readonly stream: string,
    private readonly limits: StreamBufferLimits,
  ) {
    this.keys = streamKeys(keyPrefix, stream);
  }

  /**
   * Appends one packed request. Resolves only once Redis has the entry: an ack means durable.
   * `token` is unique to the request: an append re-sent under the same token (the Redis client
   * does that after a broken connection) answers the entry it made before instead of a second
   * one. `via` is the connection to append on (Appender: WAIT must follow on the same one).
   */
  async append(
    packed: Buffer,
    count: number,
    bytes: number,
    token: string = randomUUID(),
    via: Redis = this.redis,
  ): Promise<AppendResult> {
    const args = [
      packed,
      count,
      bytes,
      this.limits.maxBacklogBytes,
      this.limits.batchSizeBytes,
      token,
      REQUEST_TOKENS_PER_GENERATION,
    ];
    const reply = (await scripts.append.run(via, this.keys, args, requestTokenKeys(this.keys))) as [
      string,
      number,
    ];
    const [entryId, second] = reply;
    if (entryId === '') return { accepted: false, backlogBytes: Number(second) };
    return { accepted: true, entryId, cutSeq: Number(second) };
  }

  /** Cuts the pending records when the oldest has waited `intervalMs`; see lua/cut_due.lua. */
  async cutDue(intervalMs: number): Promise<{ cutSeq: number; waitMs: number }> {
    const [seq, waitMs] = (await scripts.cutDue.run(this.redis, this.keys, [intervalMs])) as [number, number];
    return { cutSeq: Number(seq), waitMs: Number(waitMs) };
  }

  async getBatch(seq: number): Promise<Batch | undefined> {
    const descriptor = await this.redis.hget(this.keys.batches, String(seq));
    return descriptor === null ? undefined : parseBatchDescriptor(this.stream, seq, descriptor);
  }

  /** Sequences of the batches registered but not yet delivered, oldest first. */
  async openBatchSeqs(): Promise<number[]> {
    return (await this.redis.zrange(this.keys.open, '0', '-1')).map(Number);
  }

  async isOpen(seq: number): Promise<boolean> {
    return (await this.redis.zscore(this.keys.open, String(seq))) !== null;
  }

  /**
   * Reads a batch's entries in pages of about `pageBytes`, so a large batch never sits in
   * memory whole. XRANGE counts entries, not bytes, and an entry is one ingest request (a few
   * bytes to 4 MiB), so each page's entry count follows the average entry size seen so far.
   * Pages stay small because Redis runs one command at a time: measured with 540 KB entries,
   * 4.3 MB pages (8 entries) held ingest appends behind them for a p99 of 22 ms, 1 MB pages
   * for 16 ms. Fails if an entry of the range is missing: that would mean the stream was
   * trimmed under an open batch, which must never be papered over.
   */
  async *readBatch(batch: Batch, pageBytes = 1024 * 1024): AsyncGenerator<EntryRecords[]> {
    let start = batch.firstId;
    let seen = 0;
    let entriesRead = 0;
    let bytesRead = 0;
    let count = FIRST_PAGE_ENTRIES;
    for (;;) {
      const page = await this.redis.xrangeBuffer(this.keys.records, start, batch.lastId, 'COUNT', count);
      if (page.length === 0) break;
      const entries: EntryRecords[] = [];
      let lastId = '';
      for (const [idBuffer, fields] of page) {
        lastId = idBuffer.toString();
        const payload = payloadOf(fields);
        bytesRead += payload.length;
        entries.push({ entryId: lastId, records: unpackRecords(payload) });
        seen += entries[entries.length - 1]?.records.length ?? 0;
      }
      entriesRead += page.length;
      yield entries;
      if (page.length < count || lastId === batch.lastId) break;
      start = `(${lastId}`;
      const perEntry = Math.max(1, bytesRead / entriesRead);
      count = Math.min(MAX_PAGE_ENTRIES, Math.max(1, Math.round(pageBytes / perEntry)));
    }
    if (seen !== batch.records) {
      throw new Error(
        `batch ${batch.stream} #${batch.seq} should hold ${batch.records} records but the stream has ${seen}`,
      );
    }
  }

  /** Marks a batch delivered and trims the stream behind it. False when it already was. */
  async complete(seq: number): Promise<boolean> {
    return (
      Number(await scripts.complete.run(this.redis, this.keys, [seq], [writtenKeysKey(this.keys, seq)])) === 1
    );
  }

  /** Notes, before writing it, that an object key belongs to a batch (see writtenKeysKey). */
  async noteWrittenKey(seq: number, objectKey: string): Promise<void> {
    await this.redis.sadd(writtenKeysKey(this.keys, seq), objectKey);
  }

  async writtenKeys(seq: number): Promise<string[]> {
    return this.redis.smembers(writtenKeysKey(this.keys, seq));
  }

  async stats(): Promise<BufferStats> {
    const [meta, oldest, openCount] = await Promise.all([
      this.redis.hmget(this.keys.meta, 'backlogBytes', 'pendingBytes', 'pendingRecords', 'pendingFirst'),
      this.redis.zrange(this.keys.open, '0', '0'),
      this.redis.zcard(this.keys.open),
    ]);
    let oldestUndeliveredMs = meta[3] ? entryTimeMs(meta[3]) : undefined;
    if (oldest[0] !== undefined) {
      const batch = await this.getBatch(Number(oldest[0]));
      if (batch) oldestUndeliveredMs = batch.firstArrivalMs;
    }
    return {
      backlogBytes: Number(meta[0] ?? 0),
      pendingBytes: Number(meta[1] ?? 0),
      pendingRecords: Number(meta[2] ?? 0),
      openBatches: openCount,
      oldestUndeliveredMs,
    };
  }
}

function payloadOf(fields: Buffer[]): Buffer {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]?.toString() === 'd') return fields[i + 1] as Buffer;
  }
  throw new Error('stream entry has no payload field');
}
