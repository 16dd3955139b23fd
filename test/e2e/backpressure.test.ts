// Backpressure: the destination (S3, behind a fault-injecting proxy) is down for longer than
// the stream's backlog allows. Ingest fills the backlog, then refuses every put on both APIs
// (NDJSON 503 BacklogFull; Firehose PutRecordBatch with every record failed
// ServiceUnavailableException, PutRecord 503), while the daemon's memory stays flat. When the
// destination returns, delivery resumes and drains: every acked record lands exactly once,
// and no refused record lands at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FirehoseClient, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { type DaemonProcess, startDaemon, waitFor } from '../support/process.js';
import { type TestRedis, testRedis } from '../support/redis.js';
import { RssSampler } from '../support/rss.js';
import { type S3TestServer, startS3Server } from '../support/s3server.js';
import {
  deliveredLines,
  metricValue,
  putNdjson,
  sleep,
  type TestPorts,
  testPorts,
  writeConfig,
} from './helpers.js';

const DOWN_MS = 8000;

describe('end to end: a destination down longer than the backlog allows', () => {
  let s3: S3TestServer;
  let proxy: FaultProxy;
  let redis: TestRedis;
  let ports: TestPorts;
  let config: Awaited<ReturnType<typeof writeConfig>>;
  let daemon: DaemonProcess;
  let firehose: FirehoseClient;

  before(async () => {
    s3 = await startS3Server({ buckets: ['landing'] });
    proxy = await startFaultProxy(s3.endpoint);
    redis = await testRedis();
    ports = await testPorts();
    config = await writeConfig(`
redis: { url: ${redis.url}, keyPrefix: ${redis.prefix} }
ingest: { port: ${ports.ingest} }
admin: { port: ${ports.admin} }
auth: { mode: none }
streams:
  events:
    buffering: { sizeMiB: 1, intervalSeconds: 1 }
    maxBacklogMiB: 2
    compression: gzip
    retry: { initialBackoffSeconds: 0.2, maxBackoffSeconds: 1 }
    destination:
      type: s3
      bucket: landing
      prefix: "events/"
      endpoint: ${proxy.endpoint}
      forcePathStyle: true
      requestTimeoutSeconds: 3
      credentials: { accessKeyId: S3RVER, secretAccessKey: S3RVER }
`);
    daemon = startDaemon(['start', '--config', config.file]);
    await daemon.waitForOutput(/Sluice started/, 20_000);
    firehose = new FirehoseClient({
      endpoint: `http://127.0.0.1:${ports.ingest}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
      maxAttempts: 1,
    });
  });

  after(async () => {
    firehose?.destroy();
    daemon?.kill('SIGKILL');
    await daemon?.waitForExit(10_000).catch(() => undefined);
    await proxy?.close();
    await s3?.stop();
    await redis?.cleanup();
    await config?.cleanup();
  });

  it('refuses on both APIs, keeps memory flat, and drains every acked record once when S3 returns', async () => {
    proxy.setFaults({ rate: 1, kinds: ['slowDown', 'http500', 'reset'] });
    const acked = new Set<string>();
    const refused = new Set<string>();
    const refusals = { ndjson: 0, batch: 0, single: 0 };
    const pad = 'p'.repeat(400);
    let loading = true;

    const ndjsonProducer = async (p: number): Promise<void> => {
      for (let r = 0; loading; r += 1) {
        const ids = Array.from({ length: 100 }, (_, i) => `n${p}-${r}-${i}`);
        const answer = await putNdjson(
          ports.ingest,
          'events',
          ids.map((id) => JSON.stringify({ id, pad })).join('\n'),
        );
        if (answer.status === 200) for (const id of ids) acked.add(id);
        else {
          assert.equal(answer.status, 503);
          assert.equal(answer.body.error?.code, 'BacklogFull');
          for (const id of ids) refused.add(id);
          refusals.ndjson += 1;
          await sleep(50);
        }
      }
    };
    const firehoseProducer = async (p: number): Promise<void> => {
      for (let r = 0; loading; r += 1) {
        const ids = Array.from({ length: r % 5 === 4 ? 1 : 100 }, (_, i) => `f${p}-${r}-${i}`);
        const data = ids.map((id) => ({ Data: Buffer.from(`${JSON.stringify({ id, pad })}\n`) }));
        if (ids.length === 1) {
          try {
            await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'events', Record: data[0] }));
            acked.add(ids[0] as string);
          } catch (error) {
            assert.equal((error as Error).name, 'ServiceUnavailableException');
            assert.equal((error as Error).message, 'Slow down.');
            refused.add(ids[0] as string);
            refusals.single += 1;
            await sleep(50);
          }
          continue;
        }
        const answer = await firehose.send(
          new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records: data }),
        );
        if (answer.FailedPutCount === 0) for (const id of ids) acked.add(id);
        else {
          assert.equal(answer.FailedPutCount, ids.length, 'a batch is refused whole');
          for (const response of answer.RequestResponses ?? []) {
            assert.equal(response.ErrorCode, 'ServiceUnavailableException');
            assert.equal(response.ErrorMessage, 'Slow down.');
          }
          for (const id of ids) refused.add(id);
          refusals.batch += 1;
          await sleep(50);
        }
      }
    };

    const sampler = new RssSampler(daemon.child.pid as number).start();
    const producers = [ndjsonProducer(0), ndjsonProducer(1), firehoseProducer(0), firehoseProducer(1)];
    await sleep(DOWN_MS);
    loading = false;
    await Promise.all(producers);
    const memory = await sampler.stop();
    const firstHalf = sampler.maxBetween(0, DOWN_MS / 2);
    const secondHalf = sampler.maxBetween(DOWN_MS / 2, DOWN_MS * 2);
    process.stdout.write(
      `# backpressure: acked ${acked.size}, refused ${refused.size} (requests: ${JSON.stringify(refusals)}), S3 faults ${JSON.stringify(proxy.injected())}, daemon RSS (all processes) max ${firstHalf.toFixed(0)} MiB in the first half, ${secondHalf.toFixed(0)} MiB in the second\n`,
    );
    assert.ok(refusals.ndjson > 0 && refusals.batch > 0 && refusals.single > 0, 'every API refused');
    assert.ok(acked.size >= 3000, 'the backlog took records before it was full');
    assert.ok(acked.size * 450 < 3 * 1024 * 1024, 'no more than the 2 MiB backlog (and a request) was acked');
    assert.ok(memory.samples > 10);
    assert.ok(secondHalf < firstHalf + 60, 'memory stays flat while every put is refused');
    assert.ok(
      (await metricValue(ports.admin, 'sluice_rejected_records_total', {
        stream: 'events',
        code: 'BacklogFull',
      })) >= refused.size,
    );

    proxy.setFaults(undefined); // the destination returns
    const lines = await waitFor(
      async () => {
        const { lines } = await deliveredLines(s3, 'landing', 'events/');
        return lines.length >= acked.size ? lines : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the backlog to drain' },
    );
    const delivered = lines.map(({ line }) => (JSON.parse(line) as { id: string }).id);
    assert.equal(delivered.length, acked.size, 'nothing delivered twice');
    assert.deepEqual(new Set(delivered), acked, 'exactly the acked records, none of the refused');
    assert.equal(
      (await putNdjson(ports.ingest, 'events', '{"id":"after"}')).status,
      200,
      'takes records again',
    );
  });
});
