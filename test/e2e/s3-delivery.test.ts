// The daemon as a process, against real Redis and an S3-compatible server: records put over
// HTTP land in S3 exactly once, batches close by size and by time, a full backlog refuses
// with 503 and a destination that comes back late still gets every acked record.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { downloadObjects, readNdjson } from '../support/duckdb.js';
import { type DaemonProcess, waitFor } from '../support/process.js';
import type { TestRedis } from '../support/redis.js';
import type { S3TestServer } from '../support/s3server.js';
import {
  type DaemonStack,
  decompressObject,
  deliveredLines,
  metricValue,
  putNdjson,
  sleep,
  startStack,
  type TestPorts,
} from './helpers.js';

const KEY_PATTERN =
  /^clicks\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/clicks-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.gz$/;

function clickRecord(n: number): string {
  return JSON.stringify({
    id: `r-${n}`,
    user: `u-${n % 97}`,
    ts: new Date(1_790_000_000_000 + n).toISOString(),
    page: { url: `https://example.test/p/${n % 13}?utm=${n % 7}`, title: 'A page title of some length' },
    agent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  });
}

// Once as configured by default, once with delivery on a thread of its own (workers.deliveryThread):
// the thread must deliver the same, report its metrics through the process's /metrics and stop
// gracefully with the process.
for (const deliveryThread of [false, true]) {
  describe(`end to end: HTTP → Redis → S3${deliveryThread ? ' (delivery thread)' : ''}`, () => {
    let stack: DaemonStack;
    let s3: S3TestServer;
    let redis: TestRedis;
    let ports: TestPorts;
    let daemon: DaemonProcess;

    before(async () => {
      stack = await startStack(['landing'], (services) => {
        ({ s3, redis, ports } = services);
        return `
redis:
  url: ${redis.url}
  keyPrefix: ${redis.prefix}
ingest:
  port: ${ports.ingest}
  maxRecordBytes: 4000
  maxRequestBytes: 1048576
admin:
  port: ${ports.admin}
workers:
  concurrency: 4
  deliveryThread: ${deliveryThread}
auth: { mode: none }
streams:
  clicks:
    buffering: { sizeMiB: 1, intervalSeconds: 2 }
    compression: gzip
    destination:
      type: s3
      bucket: landing
      prefix: "clicks/"
      endpoint: ${s3.endpoint}
      forcePathStyle: true
      credentials: { accessKeyId: S3RVER, secretAccessKey: S3RVER }
  timed:
    buffering: { sizeMiB: 128, intervalSeconds: 1 }
    compression: zstd
    destination:
      type: s3
      bucket: landing
      prefix: "timed/!{timestamp:yyyy-MM-dd}/"
      endpoint: ${s3.endpoint}
      forcePathStyle: true
      credentials: { accessKeyId: S3RVER, secretAccessKey: S3RVER }
  blocked:
    buffering: { sizeMiB: 1, intervalSeconds: 0 }
    maxBacklogMiB: 1
    compression: none
    retry: { initialBackoffSeconds: 0.2, maxBackoffSeconds: 1 }
    destination:
      type: s3
      bucket: late
      endpoint: ${s3.endpoint}
      forcePathStyle: true
      credentials: { accessKeyId: S3RVER, secretAccessKey: S3RVER }
`;
      });
      daemon = stack.daemon;
    });

    after(async () => {
      await stack?.stop();
    });

    it('delivers 20,000 records put in 200 requests exactly once, in size-cut batches', async () => {
      const total = 20_000;
      const perRequest = 100;
      const acked = new Set<string>();
      let totalBytes = 0;
      let largestRequest = 0;
      const requests: Promise<void>[] = [];
      for (let start = 0; start < total; start += perRequest) {
        const lines = Array.from({ length: perRequest }, (_, i) => clickRecord(start + i));
        const requestBytes = lines.reduce((sum, line) => sum + line.length, 0);
        totalBytes += requestBytes;
        largestRequest = Math.max(largestRequest, requestBytes);
        requests.push(
          putNdjson(ports.ingest, 'clicks', `${lines.join('\n')}\n`).then((answer) => {
            assert.equal(answer.status, 200, JSON.stringify(answer.body));
            assert.equal(answer.body.count, perRequest);
            assert.equal(answer.body.recordIds?.length, perRequest);
            for (const id of answer.body.recordIds ?? []) assert.match(id, /^\d+-\d+:\d+$/);
            for (const line of lines) acked.add((JSON.parse(line) as { id: string }).id);
          }),
        );
        if (requests.length >= 8) await Promise.all(requests.splice(0));
      }
      await Promise.all(requests);
      assert.equal(acked.size, total);

      const { keys, lines } = await waitFor(
        async () => {
          const got = await deliveredLines(s3, 'landing', 'clicks/');
          return got.lines.length >= total ? got : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: `all ${total} records in S3` },
      );
      const counts = new Map<string, number>();
      for (const { line } of lines) {
        const id = (JSON.parse(line) as { id: string }).id;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      assert.equal(lines.length, total, 'no record delivered twice');
      assert.deepEqual(
        [...acked].filter((id) => counts.get(id) !== 1),
        [],
        'every acked record exactly once',
      );
      for (const key of keys) assert.match(key, KEY_PATTERN);

      // Size trigger: every batch but the last closes once it holds 1 MiB; the tail closes by time.
      const MiB = 1024 * 1024;
      // Record bytes per object: the decompressed size less one newline per record.
      const sizes = await Promise.all(
        keys.map(async (key) => {
          const body = await decompressObject(key, await s3.getObject('landing', key));
          return body.length - body.toString().split('\n').length + 1;
        }),
      );
      const bySize = await metricValue(ports.admin, 'sluice_batches_cut_total', {
        stream: 'clicks',
        trigger: 'size',
      });
      const byTime = await metricValue(ports.admin, 'sluice_batches_cut_total', {
        stream: 'clicks',
        trigger: 'time',
      });
      assert.equal(bySize + byTime, keys.length, 'one object per batch');
      // Each size-cut batch holds 1 MiB plus at most part of the request that crossed the line.
      assert.ok(
        bySize <= Math.floor(totalBytes / MiB) && bySize >= Math.floor(totalBytes / (MiB + largestRequest)),
        `${bySize} size cuts for ${totalBytes} bytes`,
      );
      assert.equal(
        sizes.filter((size) => size >= MiB).length,
        bySize,
        'size-cut objects hold at least 1 MiB',
      );
      assert.ok(
        sizes.every((size) => size < MiB + largestRequest),
        `no batch grows past the trigger by more than one request: ${sizes.join(', ')} (request ${largestRequest})`,
      );

      // An independent reader: DuckDB reads the gzip objects and finds every record once.
      const files = await downloadObjects(s3, 'landing', keys);
      try {
        const rows = await readNdjson(files.files, { compression: 'gzip' });
        assert.equal(rows.length, total);
        assert.equal(new Set(rows.map((row) => row.id)).size, total);
      } finally {
        await files.cleanup();
      }

      // Delivered batches are trimmed from Redis.
      await waitFor(
        async () => (await redis.redis.xlen(`${redis.prefix}:{clicks}:records`)) === 0 || undefined,
        {
          timeoutMs: 10_000,
          what: 'the clicks stream to be trimmed',
        },
      );
      assert.equal(await metricValue(ports.admin, 'sluice_backlog_bytes', { stream: 'clicks' }), 0);
      assert.equal(
        await metricValue(ports.admin, 'sluice_delivery_records_total', { stream: 'clicks' }),
        total,
      );
    });

    it('closes a batch by time once its oldest record has waited the interval', async () => {
      const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `t-${i}` }));
      const answer = await putNdjson(ports.ingest, 'timed', lines.join('\n'));
      assert.equal(answer.status, 200);
      const ackedAt = Date.now();
      const keys = await waitFor(
        async () => {
          const found = await s3.listKeys('landing', 'timed/');
          return found.length > 0 ? found : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 100, what: 'the time-cut object' },
      );
      const waited = Date.now() - ackedAt;
      assert.ok(waited >= 800, `the batch waited the 1 s interval (object visible after ${waited} ms)`);
      assert.equal(keys.length, 1);
      assert.match(keys[0] as string, /^timed\/\d{4}-\d{2}-\d{2}\/timed-1-.*\.zst$/);
      const body = await decompressObject(
        keys[0] as string,
        await s3.getObject('landing', keys[0] as string),
      );
      assert.equal(body.toString(), `${lines.join('\n')}\n`);
      assert.equal(
        await metricValue(ports.admin, 'sluice_batches_cut_total', { stream: 'timed', trigger: 'time' }),
        1,
      );
    });

    it('answers bad requests with their error code and status', async () => {
      const cases: [string, string | Buffer, number, string][] = [
        ['nope', '{"a":1}\n', 404, 'StreamNotFound'],
        ['clicks', '', 400, 'EmptyRequest'],
        ['clicks', '{"a":1}\n{"a":\n', 400, 'InvalidJson'],
        ['clicks', `"${'x'.repeat(5000)}"\n`, 413, 'RecordTooLarge'],
        ['clicks', Buffer.alloc(1048577, 0x20), 413, 'RequestTooLarge'],
      ];
      for (const [stream, body, status, code] of cases) {
        const answer = await putNdjson(ports.ingest, stream, body);
        assert.equal(answer.status, status, `${code}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error?.code, code);
        assert.ok((answer.body.error?.message ?? '').length > 0);
      }
      const get = await fetch(`http://127.0.0.1:${ports.ingest}/v1/streams/clicks/records`);
      assert.equal(get.status, 405);
      const health = await fetch(`http://127.0.0.1:${ports.admin}/healthz`);
      assert.equal(health.status, 200);
      const ready = await fetch(`http://127.0.0.1:${ports.admin}/readyz`);
      assert.equal(ready.status, 200);
    });

    it('refuses with 503 when the backlog is full, and delivers every acked record once the destination returns', async () => {
      const acked = new Set<string>();
      const refused = new Set<string>();
      let sawRefusal = false;
      for (let request = 0; request < 40 && !sawRefusal; request += 1) {
        const lines = Array.from({ length: 100 }, (_, i) =>
          JSON.stringify({ id: `b-${request}-${i}`, pad: 'p'.repeat(900) }),
        );
        const res = await fetch(`http://127.0.0.1:${ports.ingest}/v1/streams/blocked/records`, {
          method: 'POST',
          body: lines.join('\n'),
        });
        const body = (await res.json()) as { error?: { code: string } };
        const ids = lines.map((line) => (JSON.parse(line) as { id: string }).id);
        if (res.status === 200) {
          for (const id of ids) acked.add(id);
        } else {
          assert.equal(res.status, 503);
          assert.equal(body.error?.code, 'BacklogFull');
          assert.equal(res.headers.get('retry-after'), '1');
          for (const id of ids) refused.add(id);
          sawRefusal = true;
        }
      }
      assert.ok(sawRefusal, 'the 1 MiB backlog filled up');
      assert.ok(acked.size >= 1000);
      await sleep(1500); // deliveries fail meanwhile: the bucket does not exist yet
      assert.ok(
        (await metricValue(ports.admin, 'sluice_delivery_failures_total', { stream: 'blocked' })) >= 1,
      );

      await s3.client.send(new CreateBucketCommand({ Bucket: 'late' }));
      const { lines } = await waitFor(
        async () => {
          const got = await deliveredLines(s3, 'late');
          return got.lines.length >= acked.size ? got : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, what: 'the blocked stream to drain' },
      );
      const delivered = lines.map(({ line }) => (JSON.parse(line) as { id: string }).id);
      assert.equal(delivered.length, acked.size, 'nothing duplicated');
      assert.deepEqual(new Set(delivered), acked, 'exactly the acked records, none of the refused ones');

      // With room again, the stream takes records.
      assert.equal((await putNdjson(ports.ingest, 'blocked', '{"id":"after"}')).status, 200);
    });

    it('stops on SIGTERM with exit code 0', async () => {
      daemon.kill('SIGTERM');
      const exit = await daemon.waitForExit(30_000);
      assert.equal(exit.code, 0);
      assert.match(daemon.output(), /Sluice stopped/);
    });
  });
}
