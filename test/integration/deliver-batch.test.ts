// Delivery of one batch against real Redis, a real transform thread pool and the file
// destination: a retry that classifies records differently from the first attempt (a flaky
// transform) still leaves every record in exactly one place, because objects the first attempt
// wrote and the retry did not are removed.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { packRecords } from '../../src/buffer/packing.js';
import { StreamBuffer } from '../../src/buffer/stream-buffer.js';
import { CompressionPool } from '../../src/compression/pool.js';
import { streamSchema } from '../../src/config/schema.js';
import { deliverBatch } from '../../src/delivery/deliver-batch.js';
import { buildPipeline } from '../../src/delivery/pipeline.js';
import { TransformPools } from '../../src/processing/transform/pool.js';
import { Logger } from '../../src/telemetry/logger.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { type TestRedis, testRedis } from '../support/redis.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/transforms/', import.meta.url));

/** A real StreamBuffer whose first completion fails, as if the worker died right before it. */
class CrashOnceBuffer extends StreamBuffer {
  crashes = 1;
  override async complete(seq: number): Promise<boolean> {
    if (this.crashes > 0) {
      this.crashes -= 1;
      throw new Error('simulated crash before completing the batch');
    }
    return super.complete(seq);
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('deliverBatch (real Redis, threads, file destination)', () => {
  let r: TestRedis;
  let dir: string;
  const pools = new TransformPools(1);
  const compression = new CompressionPool(1);

  before(async () => {
    r = await testRedis();
    dir = await mkdtemp(join(tmpdir(), 'sluice-deliver-'));
    process.env.FLAKY_STATE_FILE = join(dir, 'recovered');
  });
  after(async () => {
    await pools.close();
    await compression.close();
    await r.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('removes what an earlier attempt wrote when the retry classifies records differently', async () => {
    const config = streamSchema.parse({
      compression: 'gzip',
      processing: [{ type: 'transform', module: `${fixtures}flaky.mjs`, retries: 0 }],
      destination: {
        type: 'file',
        directory: join(dir, 'landing'),
        prefix: 'data/',
        errorOutputPrefix: 'errors/',
      },
    });
    const metrics = new Metrics(async () => new Map());
    const buffer = new CrashOnceBuffer(r.redis, r.prefix, 'flaky', {
      maxBacklogBytes: 1 << 20,
      batchSizeBytes: 1 << 20,
    });
    const pipe = buildPipeline('flaky', config, buffer, {
      baseDir: dir,
      pools,
      compression,
      threads: 1,
      deliveryStreamArn: (stream) => `arn:aws:firehose:us-east-1:000000000000:deliverystream/${stream}`,
      region: 'us-east-1',
      metrics,
      log: new Logger({ test: 'deliver-batch' }),
    });
    const records = [
      { kind: 'steady', n: 1 },
      { kind: 'flaky', n: 2 },
      { kind: 'steady', n: 3 },
    ].map((r) => Buffer.from(JSON.stringify(r)));
    await buffer.append(
      packRecords(records),
      records.length,
      records.reduce((s, b) => s + b.length, 0),
    );
    const { cutSeq } = await buffer.cutDue(0);
    assert.equal(cutSeq, 1);

    // Attempt 1: the flaky record fails and goes to the error output; then the "crash".
    await assert.rejects(
      deliverBatch(pipe, cutSeq, AbortSignal.timeout(30_000), metrics, new Logger()),
      /simulated crash/,
    );
    const first = await filesUnder(join(dir, 'landing'));
    assert.equal(first.length, 2, first.join());
    assert.ok(first.some((f) => f.startsWith('errors/processing-failed/')));

    // Attempt 2: the transform has recovered, so every record is Ok; the error object must go.
    await writeFile(process.env.FLAKY_STATE_FILE as string, 'yes');
    const outcome = await deliverBatch(pipe, cutSeq, AbortSignal.timeout(30_000), metrics, new Logger());
    assert.equal(outcome.status, 'delivered');
    const second = await filesUnder(join(dir, 'landing'));
    assert.equal(second.length, 1, second.join());
    const main = second[0] as string;
    assert.ok(main.startsWith('data/'));
    assert.ok(first.includes(main), 'the data object kept its key across attempts');
    const lines = gunzipSync(await readFile(join(dir, 'landing', main)))
      .toString()
      .trim()
      .split('\n');
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { n: number }).n),
      [1, 2, 3],
    );
    assert.equal(
      existsSync(join(dir, 'landing', first.find((f) => f.startsWith('errors/')) as string)),
      false,
    );
    assert.equal(await buffer.getBatch(cutSeq), undefined, 'the batch is done');
    assert.deepEqual(await buffer.writtenKeys(cutSeq), [], 'its key list is gone with it');
  });
});
