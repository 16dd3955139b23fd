// `ingest.durability: replicated` end to end: the daemon, on a private primary with a replica,
// acks puts on both APIs only once the replica has them, and while the replica is stopped
// answers 503 NotReplicated (NDJSON) / ServiceUnavailableException (Firehose) after
// ingest.replicaTimeoutMs, saying the records may be stored. Once the replica is back, puts are
// acked again and every acked record is delivered.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FirehoseClient, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { Redis } from 'ioredis';
import { type DaemonProcess, startDaemon, waitFor } from '../support/process.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { sdkError } from './firehose-stack.js';
import { putNdjson, type TestPorts, testPorts, writeConfig } from './helpers.js';

// Long enough that a healthy replica confirms even on a loaded CI machine (300 ms once was not,
// with test files running in parallel on 2 cores); the paused-replica case waits it out.
const TIMEOUT_MS = 2_000;

async function landedLines(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const files = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const file of files) {
    if (!file.isFile()) continue;
    const text = await readFile(join(file.parentPath, file.name), 'utf8');
    lines.push(...text.split('\n').filter(Boolean));
  }
  return lines;
}

describe('end to end: ingest.durability replicated', () => {
  let primary: RedisServer;
  let replica: RedisServer;
  let onReplica: Redis;
  let ports: TestPorts;
  let config: Awaited<ReturnType<typeof writeConfig>>;
  let daemon: DaemonProcess;
  let firehose: FirehoseClient;

  before(async () => {
    primary = await startRedisServer();
    replica = await startRedisServer({ replicaOf: `127.0.0.1:${primary.port}` });
    onReplica = new Redis(replica.url, { maxRetriesPerRequest: 1 });
    onReplica.on('error', () => undefined);
    await waitFor(async () => /master_link_status:up/.test(await onReplica.info('replication')), {
      timeoutMs: 15_000,
      what: 'the replica to sync',
    });
    ports = await testPorts();
    config = await writeConfig(`
redis: { url: "${primary.url}", keyPrefix: durable }
ingest:
  port: ${ports.ingest}
  durability: replicated
  replicas: 1
  replicaTimeoutMs: ${TIMEOUT_MS}
admin: { port: ${ports.admin} }
auth: { mode: none }
streams:
  events:
    buffering: { sizeMiB: 1, intervalSeconds: 0 }
    destination: { type: file, directory: landing }
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
    onReplica?.disconnect();
    await replica?.destroy();
    await primary?.destroy();
    await config?.cleanup();
  });

  it('acks on both APIs once the replica holds the records', async () => {
    const answer = await putNdjson(ports.ingest, 'events', '{"id":"n-1"}\n{"id":"n-2"}');
    assert.equal(answer.status, 200);
    const batch = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'events',
        Records: [{ Data: Buffer.from('{"id":"f-1"}\n') }, { Data: Buffer.from('{"id":"f-2"}\n') }],
      }),
    );
    assert.equal(batch.FailedPutCount, 0);
    // The ack came after WAIT: the replica has both entries now (or they were delivered and
    // trimmed already, which the replica also follows).
    const entries = await onReplica.xlen('durable:{events}:records');
    const delivered = (await landedLines(join(config.dir, 'landing'))).length;
    assert.ok(entries >= 2 || delivered >= 2, `replica has ${entries} entries, ${delivered} lines landed`);
  });

  it('refuses with 503 "may be stored" after the timeout while the replica is stopped', async () => {
    replica.pause();
    try {
      const started = Date.now();
      const answer = await putNdjson(ports.ingest, 'events', '{"id":"n-paused"}');
      assert.equal(answer.status, 503);
      assert.equal(answer.body.error?.code, 'NotReplicated');
      assert.match(answer.body.error?.message ?? '', /0 of 1 replica\(s\) confirmed.*may be stored/);
      assert.ok(Date.now() - started >= TIMEOUT_MS - 20);

      const single = await sdkError(
        firehose.send(
          new PutRecordCommand({
            DeliveryStreamName: 'events',
            Record: { Data: Buffer.from('{"id":"f-paused"}\n') },
          }),
        ),
      );
      assert.equal(single.name, 'ServiceUnavailableException');
      assert.equal(single.status, 503);
      assert.match(single.message, /may have been stored \(NotReplicated\)/);
    } finally {
      replica.resume();
    }
    const after = await putNdjson(ports.ingest, 'events', '{"id":"n-after"}');
    assert.equal(after.status, 200);
    const ids = await waitFor(
      async () => {
        const lines = await landedLines(join(config.dir, 'landing'));
        return lines.some((line) => line.includes('n-after')) ? lines : undefined;
      },
      { timeoutMs: 10_000, what: 'the put after the replica came back to land' },
    );
    for (const id of ['n-1', 'n-2', 'f-1', 'f-2', 'n-after']) {
      assert.equal(ids.filter((line) => line.includes(`"${id}"`)).length, 1, id);
    }
  });
});
