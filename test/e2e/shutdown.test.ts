// Graceful shutdown and restarts under load. SIGTERM while producers put records and batches
// are being delivered (S3 answers slowly): the daemon stops taking records, finishes the
// batches in flight, and exits 0; a new daemon on the same port takes over, and every acked
// record lands exactly once. A rolling restart of two daemons behind the producers (each
// stopped with SIGTERM and started again in turn) loses and duplicates nothing either.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { countDelivered } from '../support/delivered.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { exactlyOnce, Ledger } from '../support/ledger.js';
import { type DaemonProcess, startDaemon, waitFor } from '../support/process.js';
import { Producers } from '../support/producers.js';
import { seededRandom, seedFrom } from '../support/random.js';
import { type TestRedis, testRedis, undelivered } from '../support/redis.js';
import { type S3TestServer, startS3Server } from '../support/s3server.js';
import { sleep, type TestPorts, testPorts, writeConfig } from './helpers.js';

describe('end to end: graceful shutdown and rolling restarts under load', () => {
  let s3: S3TestServer;
  let proxy: FaultProxy;
  let redis: TestRedis;
  const running = new Set<DaemonProcess>();
  const configs: Awaited<ReturnType<typeof writeConfig>>[] = [];

  before(async () => {
    s3 = await startS3Server({ buckets: ['landing'] });
    proxy = await startFaultProxy(s3.endpoint);
    redis = await testRedis();
  });

  after(async () => {
    for (const daemon of running) {
      daemon.kill('SIGKILL');
      await daemon.waitForExit(10_000).catch(() => undefined);
    }
    for (const config of configs) await config.cleanup();
    await proxy?.close();
    await s3?.stop();
    await redis?.cleanup();
  });

  async function daemonConfig(stream: string, ports: TestPorts): Promise<string> {
    const config = await writeConfig(`
redis: { url: ${redis.url}, keyPrefix: ${redis.prefix} }
ingest: { port: ${ports.ingest} }
admin: { port: ${ports.admin} }
workers: { concurrency: 4, lockSeconds: 5 }
shutdown: { timeoutSeconds: 20 }
auth: { mode: none }
streams:
  ${stream}:
    buffering: { sizeMiB: 1, intervalSeconds: 1 }
    compression: gzip
    retry: { initialBackoffSeconds: 0.2, maxBackoffSeconds: 1 }
    destination:
      type: s3
      bucket: landing
      prefix: "${stream}/"
      errorOutputPrefix: "errors-${stream}/"
      endpoint: ${proxy.endpoint}
      forcePathStyle: true
      credentials: { accessKeyId: S3RVER, secretAccessKey: S3RVER }
`);
    configs.push(config);
    return config.file;
  }

  async function start(file: string): Promise<DaemonProcess> {
    const daemon = startDaemon(['start', '--config', file]);
    running.add(daemon);
    await daemon.waitForOutput(/Sluice started/, 30_000);
    return daemon;
  }

  async function stop(daemon: DaemonProcess): Promise<number | null> {
    daemon.kill('SIGTERM');
    const exit = await daemon.waitForExit(40_000);
    running.delete(daemon);
    return exit.code;
  }

  async function verify(stream: string, ledger: Ledger, label: string): Promise<void> {
    await waitFor(
      async () => {
        const left = await undelivered(redis.redis, redis.prefix, stream);
        return left.backlogBytes === 0 && left.openBatches === 0 && left.pendingRecords === 0;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `the ${stream} backlog to drain` },
    );
    const delivered = await countDelivered(s3, 'landing', {
      dataPrefix: `${stream}/`,
      errorPrefix: `errors-${stream}/`,
    });
    const verdict = ledger.verify(delivered.counts);
    process.stdout.write(
      `# ${label}: acked ${verdict.acked}, delivered ${verdict.delivered}, lost ${verdict.lost}, duplicated ${verdict.duplicated}, unknown outcome ${verdict.unknownOnly}, delivered twice after an unknown outcome ${verdict.duplicatedAfterUnknown}\n`,
    );
    assert.ok(exactlyOnce(verdict, false), JSON.stringify(verdict));
    assert.equal(verdict.acked, ledger.size, 'every record was acked in the end');
  }

  it('on SIGTERM finishes the batches in flight, exits 0, and loses nothing across the restart', async () => {
    const ports = await testPorts();
    const file = await daemonConfig('term', ports);
    let daemon = await start(file);
    // S3 answers every request after 0.5-1.5 s, so batches are in flight at the SIGTERM.
    proxy.setFaults({ rate: 1, kinds: ['stall'], stallMs: [500, 1500] });
    const ledger = new Ledger();
    const producers = new Producers({
      stream: 'term',
      ports: () => [ports.ingest],
      ledger,
      random: seededRandom(seedFrom(process.env.SHUTDOWN_SEED)),
      total: 12_000,
      concurrency: 2,
      ratePerSecond: 2000,
      recordsPerRequest: [10, 100],
    });
    const producing = producers.run();
    await sleep(2000);
    // Wait for a moment when a batch is being delivered (S3 stalls every request), then stop.
    const active = await waitFor(
      async () => {
        const jobs = await redis.redis.lrange(`${redis.prefix}:bull:delivery:active`, 0, -1);
        return jobs.length > 0 ? jobs : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 20, what: 'a batch being delivered' },
    );
    assert.ok(active.length > 0, 'batches were being delivered at the SIGTERM');
    const code = await stop(daemon);
    assert.equal(code, 0);
    assert.doesNotMatch(daemon.output(), /did not finish in time/);
    // Every batch that was in flight was delivered before the exit, not left to the next start.
    const open = new Set(await redis.redis.zrange(`${redis.prefix}:{term}:open`, '0', '-1'));
    for (const jobId of active)
      assert.ok(!open.has(jobId.split('#')[1] as string), `batch ${jobId} was finished`);
    assert.equal(await redis.redis.llen(`${redis.prefix}:bull:delivery:active`), 0);

    proxy.setFaults(undefined);
    daemon = await start(file);
    await producing;
    await verify('term', ledger, 'SIGTERM under load');
    await stop(daemon);
  });

  it('loses nothing through a rolling restart of two daemons under load', async () => {
    const nodes = [await testPorts(), await testPorts()];
    const files = [
      await daemonConfig('rolling', nodes[0] as TestPorts),
      await daemonConfig('rolling', nodes[1] as TestPorts),
    ];
    const daemons = [await start(files[0] as string), await start(files[1] as string)];
    const ledger = new Ledger();
    const producers = new Producers({
      stream: 'rolling',
      ports: () => nodes.map((n) => n.ingest),
      ledger,
      random: seededRandom(seedFrom(process.env.SHUTDOWN_SEED)),
      total: 16_000,
      concurrency: 2,
      ratePerSecond: 1500,
      recordsPerRequest: [10, 100],
    });
    const producing = producers.run();
    for (const i of [0, 1]) {
      await sleep(2000);
      assert.equal(await stop(daemons[i] as DaemonProcess), 0, `daemon ${i} stopped cleanly`);
      daemons[i] = await start(files[i] as string);
    }
    await producing;
    await verify('rolling', ledger, 'rolling restart');
    process.stdout.write(`# rolling restart: producer answers ${JSON.stringify(producers.stats.codes)}\n`);
    for (const daemon of daemons) assert.equal(await stop(daemon), 0);
  });
});
