// The Redis loss window and how `ingest.durability: replicated` closes it, against a real
// primary and replica (two private redis-servers). Without persistence on the primary, losing
// it loses whatever the replica had not received: with `local` durability that can be acked
// records (shown here by cutting the replica off, as a broken link or a lagging replica would);
// with `replicated`, a put is acked only after WAIT saw the replica take it, and one the
// replica cannot confirm is refused (NotReplicated, "may be stored") after the timeout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { Appender, AppendFailed } from '../../src/buffer/appender.js';
import { packRecords } from '../../src/buffer/packing.js';
import { StreamBuffer } from '../../src/buffer/stream-buffer.js';
import { waitFor } from '../support/process.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';

const MiB = 1024 * 1024;
// Generous: a loaded machine can hold a replica's acknowledgement back for a while.
const TIMEOUT_MS = 1000;

function connect(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined); // the tests kill servers on purpose
  return redis;
}

async function linkUp(replica: Redis): Promise<void> {
  await waitFor(async () => /master_link_status:up/.test(await replica.info('replication')), {
    timeoutMs: 15_000,
    what: 'the replica to sync',
  });
}

function packed(tag: string): { data: Buffer; count: number; bytes: number } {
  const recs = [Buffer.from(`{"id":"${tag}"}`)];
  return { data: packRecords(recs, recs[0]?.length ?? 0), count: 1, bytes: recs[0]?.length ?? 0 };
}

describe('Redis replication and ingest.durability (private primary + replica)', () => {
  let primary: RedisServer;
  let replica: RedisServer;
  const clients: Redis[] = [];

  const setUp = async (): Promise<{ onPrimary: Redis; onReplica: Redis; buffer: StreamBuffer }> => {
    primary = await startRedisServer({ appendfsync: 'off' });
    replica = await startRedisServer({ appendfsync: 'off', replicaOf: `127.0.0.1:${primary.port}` });
    const onPrimary = connect(primary.url);
    const onReplica = connect(replica.url);
    clients.push(onPrimary, onReplica);
    await linkUp(onReplica);
    const buffer = new StreamBuffer(onPrimary, 'repl', 'events', {
      maxBacklogBytes: 64 * MiB,
      batchSizeBytes: 64 * MiB,
    });
    return { onPrimary, onReplica, buffer };
  };

  const tearDown = async (): Promise<void> => {
    for (const client of clients.splice(0)) client.disconnect();
    await replica?.destroy();
    await primary?.destroy();
  };

  describe('replicated durability', () => {
    let onReplica: Redis;
    let buffer: StreamBuffer;
    let appender: Appender;
    before(async () => {
      ({ onReplica, buffer } = await setUp());
      const own = connect(primary.url);
      clients.push(own);
      appender = new Appender(own, { mode: 'replicated', replicas: 1, timeoutMs: TIMEOUT_MS });
    });
    after(tearDown);

    it('acks only what the replica already holds, sharing one WAIT between concurrent puts', async () => {
      const one = packed('first');
      const result = await appender.append(buffer, one.data, one.count, one.bytes);
      assert.ok(result.accepted);
      // No waiting here: WAIT confirmed it before the ack.
      assert.equal(await onReplica.xlen(buffer.keys.records), 1);
      const many = await Promise.all(
        Array.from({ length: 200 }, (_, i) => {
          const p = packed(`many-${i}`);
          return appender.append(buffer, p.data, p.count, p.bytes);
        }),
      );
      assert.ok(many.every((r) => r.accepted));
      assert.equal(await onReplica.xlen(buffer.keys.records), 201);
    });

    it('refuses with "may be stored" after the timeout while the replica is stopped, and acks again once it is back', async () => {
      replica.pause();
      try {
        const started = Date.now();
        const p = packed('paused');
        const failure = await appender.append(buffer, p.data, p.count, p.bytes).then(
          () => assert.fail('acked without a replica'),
          (error: unknown) => error,
        );
        assert.ok(failure instanceof AppendFailed);
        assert.equal(failure.stored, 'maybe');
        assert.equal(failure.reason, 'replicas');
        assert.match(failure.message, /0 of 1 replica\(s\) confirmed the records within 1000 ms/);
        assert.ok(Date.now() - started >= TIMEOUT_MS - 20, 'waited the timeout');
      } finally {
        replica.resume();
      }
      const p = packed('resumed');
      assert.ok((await appender.append(buffer, p.data, p.count, p.bytes)).accepted);
      // The refused put was stored on the primary after all, and reached the replica once it
      // resumed: "may be stored" is meant literally.
      assert.equal(await onReplica.xlen(buffer.keys.records), 203);
    });

    it('refuses after the timeout while the replica is down', async () => {
      await replica.kill();
      const p = packed('down');
      const failure = await appender
        .append(buffer, p.data, p.count, p.bytes)
        .catch((error: unknown) => error);
      assert.ok(failure instanceof AppendFailed && failure.reason === 'replicas');
    });
  });

  describe('the loss window of local durability on a primary failover', () => {
    after(tearDown);

    it('loses records acked while the replica lagged; replicated refuses them instead', async () => {
      const { buffer } = await setUp();
      const local = new Appender(buffer.redis, { mode: 'local' });
      const own = connect(primary.url);
      clients.push(own);
      const replicated = new Appender(own, { mode: 'replicated', replicas: 1, timeoutMs: TIMEOUT_MS });

      const acked = { local: new Set<string>(), replicated: new Set<string>() };
      const put = async (appender: Appender, into: Set<string>, tag: string): Promise<void> => {
        const p = packed(tag);
        const result = await appender.append(buffer, p.data, p.count, p.bytes).catch(() => undefined);
        if (result?.accepted) into.add(result.entryId);
      };
      for (let i = 0; i < 20; i += 1) {
        await put(local, acked.local, `before-${i}`);
        await put(replicated, acked.replicated, `before-r-${i}`);
      }
      // The replica falls behind: it stops, and the primary drops its link (a replica that is
      // merely stopped would still find the writes in its socket buffer when it resumes).
      replica.pause();
      await buffer.redis.call('CLIENT', 'KILL', 'TYPE', 'replica');
      for (let i = 0; i < 20; i += 1) await put(local, acked.local, `lagging-${i}`);
      await put(replicated, acked.replicated, 'lagging-r');
      await primary.kill(); // the primary is lost before the replica caught up
      replica.resume();
      const promoted = connect(replica.url);
      clients.push(promoted);
      await promoted.replicaof('NO', 'ONE');
      const survived = new Set(
        (await promoted.xrange(buffer.keys.records, '-', '+')).map(([entryId]) => entryId),
      );
      const lost = (ids: Set<string>) => [...ids].filter((id) => !survived.has(id)).length;
      assert.equal(acked.local.size, 40);
      assert.equal(
        lost(acked.local),
        20,
        'local durability: the 20 puts acked while the replica lagged are gone',
      );
      assert.ok(
        acked.replicated.size >= 1 && acked.replicated.size <= 20,
        'replicated acked only before the lag',
      );
      assert.equal(lost(acked.replicated), 0, 'replicated durability acked nothing the replica lacked');
    });
  });
});
