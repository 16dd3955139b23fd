// Transforms with Firehose's Lambda contract, run by the daemon in worker threads: handlers
// written as Firehose documents them run unchanged; Dropped records vanish; failed records land
// in the error output with Firehose's fields; a handler that throws, hangs, spins, leaks or
// exits fails only its own records while a healthy stream beside it keeps delivering.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type DaemonProcess, waitFor } from '../support/process.js';
import type { TestRedis } from '../support/redis.js';
import type { S3TestServer } from '../support/s3server.js';
import {
  type DaemonStack,
  deliveredLines,
  metricValue,
  putRecords,
  startStack,
  type TestPorts,
} from './helpers.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/transforms/', import.meta.url));

interface ErrorRecord {
  attemptsMade: number;
  arrivalTimestamp: number;
  errorCode: string;
  errorMessage: string;
  attemptEndingTimestamp: number;
  rawData: string;
  lambdaArn: string;
  recordId: string;
}

const streams: Record<string, { module: string; options?: string }> = {
  enrich: { module: 'firehose-style.mjs' },
  legacy: { module: 'callback-style.cjs' },
  sorting: { module: 'sorting.mjs' },
  throws: { module: 'throws.mjs', options: 'retries: 1' },
  hangs: { module: 'hangs.mjs', options: 'timeoutSeconds: 1, retries: 1' },
  spins: { module: 'spins.mjs', options: 'timeoutSeconds: 1, retries: 0' },
  leaks: { module: 'leaks.mjs', options: 'memoryLimitMiB: 32, retries: 0' },
  exits: { module: 'exits.mjs', options: 'retries: 1' },
  badanswers: { module: 'bad-answers.mjs' },
};

describe('end to end: transforms', () => {
  let stack: DaemonStack;
  let s3: S3TestServer;
  let redis: TestRedis;
  let ports: TestPorts;
  let daemon: DaemonProcess;

  function destination(name: string): string {
    return `
    destination:
      type: s3
      bucket: landing
      prefix: "${name}/"
      errorOutputPrefix: "${name}-errors/!{firehose:error-output-type}/"
      endpoint: ${s3.endpoint}
      forcePathStyle: true
      credentials: { accessKeyId: S3RVER, secretAccessKey: S3RVER }`;
  }

  before(async () => {
    stack = await startStack(['landing'], (services) => {
      ({ s3, redis, ports } = services);
      const transformStreams = Object.entries(streams)
        .map(
          ([name, { module, options }]) => `
  ${name}:
    buffering: { sizeMiB: 1, intervalSeconds: 1 }
    retry: { initialBackoffSeconds: 0.2, maxBackoffSeconds: 2 }
    compression: gzip
    processing:
      - { type: transform, module: ${fixtures}${module}${options ? `, ${options}` : ''} }${destination(name)}`,
        )
        .join('');
      return `
auth: { mode: none }
redis: { url: ${redis.url}, keyPrefix: ${redis.prefix} }
ingest: { port: ${ports.ingest} }
admin: { port: ${ports.admin} }
# Short locks and retries: if a daemon process died, its batch is taken up again in seconds.
workers: { concurrency: 8, threads: 2, lockSeconds: 5 }
streams:${transformStreams}
  healthy:
    buffering: { sizeMiB: 1, intervalSeconds: 1 }${destination('healthy')}
`;
    });
    daemon = stack.daemon;
  });

  after(async () => {
    await stack?.stop();
  });

  const put = (stream: string, records: object[]) => putRecords(ports.ingest, stream, records);

  async function landed(stream: string, count: number): Promise<Record<string, unknown>[]> {
    const { lines } = await waitFor(
      async () => {
        const got = await deliveredLines(s3, 'landing', `${stream}/`);
        return got.lines.length >= count ? got : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `${count} records of ${stream}` },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\ndaemon log:\n${daemon.output().slice(-6000)}`);
    });
    return lines.map(({ line }) => JSON.parse(line) as Record<string, unknown>);
  }

  async function errors(stream: string, count: number): Promise<{ keys: string[]; records: ErrorRecord[] }> {
    const got = await waitFor(
      async () => {
        const found = await deliveredLines(s3, 'landing', `${stream}-errors/`);
        return found.lines.length >= count ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `${count} error records of ${stream}` },
    ).catch((error: unknown) => {
      // The daemon's log says why a batch is stuck; without it a timeout here tells nothing.
      throw new Error(`${(error as Error).message}\ndaemon log:\n${daemon.output().slice(-6000)}`);
    });
    return { keys: got.keys, records: got.lines.map(({ line }) => JSON.parse(line) as ErrorRecord) };
  }

  it('runs a handler written as Firehose documents it, unchanged', async () => {
    const records = Array.from({ length: 300 }, (_, i) => ({ id: i, name: `n${i}` }));
    await put('enrich', records);
    const out = await landed('enrich', 300);
    assert.equal(out.length, 300);
    assert.deepEqual(
      out.map((r) => r.id).sort((a, b) => Number(a) - Number(b)),
      records.map((r) => r.id),
    );
    assert.ok(out.every((r) => r.processed === true && r.stream === 'enrich'));
  });

  it('runs a CommonJS callback-style handler', async () => {
    await put('legacy', [{ name: 'ada' }, { name: 'bob' }]);
    const out = await landed('legacy', 2);
    assert.deepEqual(out.map((r) => r.name).sort(), ['ADA', 'BOB']);
    assert.ok(out.every((r) => r.remainingMs === true));
  });

  it('drops Dropped records and sends ProcessingFailed ones to the error output with Firehose fields', async () => {
    const records = Array.from({ length: 30 }, (_, i) => ({ i, kind: ['ok', 'noise', 'bad'][i % 3] }));
    const before = Date.now();
    await put('sorting', records);
    const out = await landed('sorting', 10);
    assert.deepEqual(
      out.map((r) => r.i),
      records.filter((r) => r.kind === 'ok').map((r) => r.i),
    );
    const { keys, records: failed } = await errors('sorting', 10);
    assert.equal(failed.length, 10);
    assert.ok(
      keys.every((key) =>
        /^sorting-errors\/processing-failed\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/sorting-1-.*\.gz$/.test(key),
      ),
      keys.join(),
    );
    for (const failure of failed) {
      const raw = JSON.parse(Buffer.from(failure.rawData, 'base64').toString()) as { kind: string };
      assert.equal(raw.kind, 'bad');
      assert.equal(failure.errorCode, 'Lambda.ProcessingFailed');
      assert.equal(failure.attemptsMade, 1);
      assert.ok(failure.arrivalTimestamp >= before - 1000 && failure.arrivalTimestamp <= Date.now());
      assert.ok(failure.attemptEndingTimestamp >= failure.arrivalTimestamp);
      assert.match(failure.lambdaArn, /sorting\.mjs#handler$/);
      assert.match(failure.recordId, /^\d+-\d+:\d+$/);
    }
    assert.equal(
      await metricValue(ports.admin, 'sluice_transform_records_total', {
        stream: 'sorting',
        result: 'Dropped',
      }),
      10,
    );
  });

  it('fails bad answers record by record: missing, duplicated, bad base64, unknown result', async () => {
    const faults = ['none', 'missing', 'bad-base64', 'unknown-result', 'duplicate', 'none'];
    await put(
      'badanswers',
      faults.map((fault, i) => ({ i, fault })),
    );
    const out = await landed('badanswers', 2);
    assert.deepEqual(out.map((r) => r.i).sort(), [0, 5]);
    const { records: failed } = await errors('badanswers', 4);
    const codes = Object.fromEntries(
      failed.map((f) => [
        (JSON.parse(Buffer.from(f.rawData, 'base64').toString()) as { fault: string }).fault,
        f.errorCode,
      ]),
    );
    assert.deepEqual(codes, {
      missing: 'Lambda.MissingRecordId',
      'bad-base64': 'Lambda.InvalidData',
      'unknown-result': 'Lambda.InvalidResult',
      duplicate: 'Lambda.DuplicatedRecordId',
    });
  });

  it('fails only the records of a transform that throws, hangs, spins, leaks or exits; a healthy stream keeps delivering', async () => {
    const broken: [string, string, number][] = [
      ['throws', 'Lambda.FunctionError', 2],
      ['hangs', 'Lambda.FunctionTimeout', 2],
      ['spins', 'Lambda.FunctionTimeout', 1],
      ['leaks', 'Lambda.OutOfMemory', 1],
      ['exits', 'Lambda.ProcessExited', 2],
    ];
    for (const [stream] of broken)
      await put(stream, [
        { stream, n: 1 },
        { stream, n: 2 },
      ]);
    // While those fail and retry, the healthy stream delivers.
    await put('healthy', [{ ok: 1 }]);
    const healthyAt = Date.now();
    await landed('healthy', 1);
    assert.ok(Date.now() - healthyAt < 20_000, 'the healthy stream was not held up');

    for (const [stream, code, attempts] of broken) {
      const { records: failed } = await errors(stream, 2);
      assert.equal(failed.length, 2, stream);
      for (const failure of failed) {
        assert.equal(failure.errorCode, code, `${stream}: ${failure.errorMessage}`);
        assert.equal(failure.attemptsMade, attempts, stream);
        assert.equal(
          (JSON.parse(Buffer.from(failure.rawData, 'base64').toString()) as { stream: string }).stream,
          stream,
        );
      }
      assert.deepEqual(
        await s3.listKeys('landing', `${stream}/`),
        [],
        `${stream}: nothing in the destination`,
      );
    }
    const health = await fetch(`http://127.0.0.1:${ports.admin}/healthz`);
    assert.equal(health.status, 200, 'the daemon survived all of it');
    assert.equal(daemon.child.exitCode, null);
    await put('healthy', [{ ok: 2 }]);
    await landed('healthy', 2);
  });
});
