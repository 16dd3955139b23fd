// Crash safety: two daemons share one Redis while records pour in; each is SIGKILLed mid-flight
// and restarted. Afterwards every acked record is in S3 exactly once (none lost, none
// duplicated), and records buffered at a graceful stop are delivered after the next start.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DaemonProcess, startDaemon, waitFor } from '../support/process.js';
import { type TestRedis, testRedis } from '../support/redis.js';
import { type S3TestServer, startS3Server } from '../support/s3server.js';
import { deliveredLines, putNdjson, sleep, type TestPorts, testPorts, writeConfig } from './helpers.js';

interface Node {
  ports: TestPorts;
  config: Awaited<ReturnType<typeof writeConfig>>;
  process?: DaemonProcess;
}

describe('end to end: crashes lose and duplicate nothing', () => {
  let s3: S3TestServer;
  let redis: TestRedis;
  const nodes: Node[] = [];

  function configFor(ports: TestPorts): string {
    return `
redis: { url: ${redis.url}, keyPrefix: ${redis.prefix} }
ingest: { port: ${ports.ingest} }
admin: { port: ${ports.admin} }
workers: { concurrency: 3, lockSeconds: 5 }
# A cluster, so a kill takes down a supervisor with its processes mid-work.
processes: 2
auth: { mode: none }
streams:
  crash:
    buffering: { sizeMiB: 1, intervalSeconds: 1 }
    compression: gzip
    retry: { initialBackoffSeconds: 0.2, maxBackoffSeconds: 2 }
    destination:
      type: s3
      bucket: landing
      prefix: "crash/"
      endpoint: ${s3.endpoint}
      forcePathStyle: true
      credentials: { accessKeyId: S3RVER, secretAccessKey: S3RVER }
  slow:
    buffering: { sizeMiB: 128, intervalSeconds: 3 }
    destination:
      type: s3
      bucket: landing
      prefix: "slow/"
      endpoint: ${s3.endpoint}
      forcePathStyle: true
      credentials: { accessKeyId: S3RVER, secretAccessKey: S3RVER }
`;
  }

  async function startNode(node: Node): Promise<void> {
    node.process = startDaemon(['start', '--config', node.config.file]);
    await node.process.waitForOutput(/Sluice started/, 20_000);
  }

  before(async () => {
    s3 = await startS3Server({ buckets: ['landing'] });
    redis = await testRedis();
    for (let i = 0; i < 2; i += 1) {
      const ports = await testPorts();
      nodes.push({ ports, config: await writeConfig(configFor(ports)) });
    }
    await Promise.all(nodes.map(startNode));
  });

  after(async () => {
    for (const node of nodes) {
      node.process?.kill('SIGKILL');
      await node.process?.waitForExit(10_000).catch(() => undefined);
      await node.config.cleanup();
    }
    await s3?.stop();
    await redis?.cleanup();
  });

  it('delivers every acked record exactly once across SIGKILLs of both daemons', async () => {
    const sent = new Set<string>();
    const acked = new Set<string>();
    let failedRequests = 0;
    let loading = true;

    const load = async (worker: number) => {
      for (let request = 0; loading; request += 1) {
        const node = nodes[(request + worker) % nodes.length] as Node;
        const ids = Array.from({ length: 100 }, (_, i) => `w${worker}-r${request}-${i}`);
        for (const id of ids) sent.add(id);
        const body = ids.map((id) => JSON.stringify({ id, pad: 'z'.repeat(400) })).join('\n');
        try {
          const answer = await putNdjson(node.ports.ingest, 'crash', body);
          if (answer.status === 200) for (const id of ids) acked.add(id);
          else failedRequests += 1;
        } catch {
          failedRequests += 1; // the daemon died mid-request: outcome unknown, not acked
          await sleep(50);
        }
      }
    };
    const loaders = [0, 1, 2, 3].map(load);

    for (const node of nodes) {
      await sleep(1500);
      node.process?.kill('SIGKILL');
      await node.process?.waitForExit(10_000);
      await sleep(300);
      await startNode(node);
    }
    await sleep(1000);
    loading = false;
    await Promise.all(loaders);
    assert.ok(acked.size >= 10_000, `enough load went through (${acked.size} acked)`);

    const delivered = await waitFor(
      async () => {
        const { lines } = await deliveredLines(s3, 'landing', 'crash/');
        const ids = lines.map(({ line }) => (JSON.parse(line) as { id: string }).id);
        const have = new Set(ids);
        return [...acked].every((id) => have.has(id)) ? ids : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: 'every acked record in S3' },
    );
    const counts = new Map<string, number>();
    for (const id of delivered) counts.set(id, (counts.get(id) ?? 0) + 1);
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    assert.deepEqual(duplicated.slice(0, 10), [], `${duplicated.length} records delivered twice`);
    assert.ok(
      delivered.every((id) => sent.has(id)),
      'nothing delivered that was not sent',
    );
    process.stdout.write(
      `# crash test: sent ${sent.size}, acked ${acked.size}, delivered ${counts.size}, duplicated ${duplicated.length}, failed requests ${failedRequests}\n`,
    );
  });

  it('keeps records buffered across a graceful stop and delivers them after the next start', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: `slow-${i}` }));
    const answer = await putNdjson((nodes[0] as Node).ports.ingest, 'slow', lines.join('\n'));
    assert.equal(answer.status, 200);
    for (const node of nodes) {
      node.process?.kill('SIGTERM');
      const exit = await node.process?.waitForExit(30_000);
      assert.equal(exit?.code, 0);
    }
    assert.deepEqual(await s3.listKeys('landing', 'slow/'), [], 'not delivered before the stop');
    assert.equal(await redis.redis.xlen(`${redis.prefix}:{slow}:records`), 1, 'still buffered in Redis');

    await startNode(nodes[0] as Node);
    const keys = await waitFor(
      async () => {
        const found = await s3.listKeys('landing', 'slow/');
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'the buffered records after restart' },
    );
    assert.equal(keys.length, 1);
    const body = await s3.getObject('landing', keys[0] as string);
    assert.equal(body.toString(), `${lines.join('\n')}\n`);
  });
});
