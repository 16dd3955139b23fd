import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { compress } from 'zstd-napi';
import { downloadObjects, queryRows, readNdjson } from '../../support/duckdb.js';
import { freePort } from '../../support/ports.js';
import { startDaemon, waitFor } from '../../support/process.js';
import { testRedis } from '../../support/redis.js';
import { type S3TestServer, startS3Server } from '../../support/s3server.js';

const bucket = 'support-test';

describe('startS3Server', () => {
  let s3: S3TestServer;
  before(async () => {
    s3 = await startS3Server({ buckets: [bucket] });
  });
  after(async () => {
    await s3.stop();
  });

  it('listens on 127.0.0.1 and stores a Buffer byte-exact', async () => {
    assert.equal(s3.endpoint, `http://127.0.0.1:${s3.port}`);
    const body = randomBytes(4096);
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'buffer.bin', Body: body }));
    assert.deepEqual(await s3.getObject(bucket, 'buffer.bin'), body);
  });

  it('stores a 1 MiB streamed body with ContentLength at its sent length', async () => {
    const body = randomBytes(1024 * 1024 + 17);
    const chunks = Array.from({ length: 17 }, (_, i) => body.subarray(i * 65536, (i + 1) * 65536));
    await s3.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'stream.bin',
        Body: Readable.from(chunks),
        ContentLength: body.length,
      }),
    );
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'stream.bin' }));
    assert.equal(head.ContentLength, body.length);
    const stored = await s3.getObject(bucket, 'stream.bin');
    assert.equal(stored.length, body.length);
    assert.ok(stored.equals(body));
  });

  it('lists more than 1000 keys across pages', async () => {
    const keys = Array.from({ length: 1203 }, (_, i) => `many/${String(i).padStart(5, '0')}.txt`);
    const queue = [...keys];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
          await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
        }
      }),
    );
    assert.deepEqual(await s3.listKeys(bucket, 'many/'), keys);
    assert.deepEqual(await s3.listKeys(bucket, 'many/0000'), keys.slice(0, 10));
    assert.deepEqual(await s3.listKeys(bucket, 'nothing-here/'), []);
  });

  it('stop() kills the server, removes its directory and can be called twice', async () => {
    const other = await startS3Server();
    assert.ok(existsSync(other.directory));
    await other.stop();
    await other.stop();
    assert.equal(existsSync(other.directory), false);
    await assert.rejects(fetch(other.endpoint));
  });
});

describe('DuckDB helpers', () => {
  let s3: S3TestServer;
  before(async () => {
    s3 = await startS3Server({ buckets: [bucket] });
  });
  after(async () => {
    await s3.stop();
  });

  const records = [
    {
      id: 1,
      msg: 'héllo',
      at: '2024-01-02T03:04:05Z',
      day: '2024-01-02',
      big: 9007199254740993n,
      tags: ['a'],
    },
    { id: 2, msg: 'line\nbreak', at: '2024-01-02T03:04:05.123Z', day: '2024-01-03', big: 5n, tags: [] },
  ];
  // JSON.stringify cannot write BigInt; spell the big integer out as a JSON number.
  const ndjson = `${records
    .map((r) => JSON.stringify({ ...r, big: 0 }).replace('"big":0', `"big":${r.big}`))
    .join('\n')}\n`;
  const expected = [
    {
      id: 1,
      msg: 'héllo',
      at: '2024-01-02T03:04:05Z',
      day: '2024-01-02',
      big: '9007199254740993',
      tags: ['a'],
    },
    { id: 2, msg: 'line\nbreak', at: '2024-01-02T03:04:05.123Z', day: '2024-01-03', big: 5, tags: [] },
  ];

  it('reads gzip and zstd NDJSON objects downloaded from S3', async () => {
    const gzipped = gzipSync(ndjson);
    const zstded = compress(Buffer.from(ndjson));
    await s3.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'out/a/batch.ndjson.gz', Body: gzipped }),
    );
    await s3.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'out/b/batch.ndjson.zst', Body: zstded }),
    );
    const keys = await s3.listKeys(bucket, 'out/');
    assert.deepEqual(keys, ['out/a/batch.ndjson.gz', 'out/b/batch.ndjson.zst']);

    const download = await downloadObjects(s3, bucket, keys);
    try {
      assert.equal(download.files.length, 2);
      assert.match(download.files[0] ?? '', /\.ndjson\.gz$/);
      assert.match(download.files[1] ?? '', /\.ndjson\.zst$/);
      assert.deepEqual(await readNdjson(download.files[0] ?? ''), expected);
      assert.deepEqual(await readNdjson(download.files[1] ?? ''), expected);
      assert.deepEqual(await readNdjson(download.files), [...expected, ...expected]);
    } finally {
      await download.cleanup();
    }
    assert.equal(existsSync(download.dir), false);
  });

  it('reads extensionless files with explicit compression', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-support-test-'));
    try {
      const gz = join(dir, 'gz');
      const zst = join(dir, 'zst');
      const plain = join(dir, 'plain');
      // Two gzip members / zstd frames, like batches appended to one object.
      await writeFile(gz, Buffer.concat([gzipSync('{"n":1}\n'), gzipSync('{"n":2}\n')]));
      await writeFile(
        zst,
        Buffer.concat([compress(Buffer.from('{"n":1}\n')), compress(Buffer.from('{"n":2}\n'))]),
      );
      await writeFile(plain, '{"n":1}\n{"n":2}\n');
      assert.deepEqual(await readNdjson(gz, { compression: 'gzip' }), [{ n: 1 }, { n: 2 }]);
      assert.deepEqual(await readNdjson(zst, { compression: 'zstd' }), [{ n: 1 }, { n: 2 }]);
      assert.deepEqual(await readNdjson(plain, { compression: 'none' }), [{ n: 1 }, { n: 2 }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('queryRows converts DuckDB values to plain JS', async () => {
    const rows = await queryRows(
      `SELECT 42::BIGINT AS small, 18446744073709551615::UBIGINT AS huge, {'a': 1::HUGEINT} AS s,
              [1::BIGINT, NULL] AS l, 'x' AS v, NULL AS z, 1.5::DOUBLE AS d`,
    );
    assert.deepEqual(rows, [
      { small: 42, huge: '18446744073709551615', s: { a: 1 }, l: [1, null], v: 'x', z: null, d: 1.5 },
    ]);
  });
});

describe('testRedis', () => {
  it('cleanup removes its own keys, BullMQ-style ones included, and nothing else', async () => {
    const mine = await testRedis();
    const theirs = await testRedis();
    try {
      assert.notEqual(mine.prefix, theirs.prefix);
      assert.equal(await mine.redis.ping(), 'PONG');
      const myKeys = [
        `${mine.prefix}:stream`,
        `${mine.prefix}:bull:deliver:1`,
        `${mine.prefix}:bull:deliver:meta`,
      ];
      for (let i = 0; i < 1500; i++) myKeys.push(`${mine.prefix}:bulk:${i}`);
      const pipeline = mine.redis.pipeline();
      for (const key of myKeys) pipeline.set(key, 'x');
      pipeline.xadd(`${mine.prefix}:events`, '*', 'f', 'v');
      await pipeline.exec();
      await theirs.redis.set(`${theirs.prefix}:stream`, 'y');
      // Shares the textual start of mine.prefix but not the prefix plus separator: must survive.
      const lookalike = `${mine.prefix.slice(0, -1)}`;
      await theirs.redis.set(lookalike, 'z');

      await mine.cleanup();
      await mine.cleanup();
      assert.equal(mine.redis.status, 'end');
      const [, left] = await theirs.redis.scan('0', 'MATCH', `${mine.prefix}*`, 'COUNT', 100000);
      assert.deepEqual(left, []);
      assert.equal(await theirs.redis.get(`${theirs.prefix}:stream`), 'y');
      assert.equal(await theirs.redis.get(lookalike), 'z');
      await theirs.redis.unlink(lookalike);
    } finally {
      await mine.cleanup();
      await theirs.cleanup();
    }
  });
});

describe('ports and processes', () => {
  it('freePort returns a port that can be bound', async () => {
    const port = await freePort();
    assert.ok(port > 0 && port < 65536);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('waitFor returns the first accepted value and names what it waited for on timeout', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
        return calls < 5 ? false : calls;
      },
      { timeoutMs: 5000, intervalMs: 1, what: 'the fifth call' },
    );
    assert.equal(value, 5);
    await assert.rejects(
      waitFor(
        async () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 50, intervalMs: 10, what: 'the moon' },
      ),
      /waiting for the moon; last probe error: connection refused/,
    );
  });

  it('startDaemon captures output, waits for it and for exit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-support-test-'));
    try {
      const script = join(dir, 'fake-daemon.mjs');
      await writeFile(
        script,
        [
          "process.stdout.write('starting ' + process.argv.slice(2).join(',') + '\\n');",
          "setTimeout(() => process.stderr.write('ready on ' + process.env.FAKE_PORT + '\\n'), 50);",
          "process.on('SIGTERM', () => { process.stdout.write('bye\\n'); process.exit(3); });",
          'setInterval(() => {}, 1000);',
        ].join('\n'),
      );
      const daemon = startDaemon(['a', 'b'], { script, env: { FAKE_PORT: '1234' }, cwd: dir });
      assert.equal(await daemon.waitForOutput(/ready on \d+/g), 'ready on 1234');
      assert.match(daemon.output(), /starting a,b\n/);
      await assert.rejects(daemon.waitForOutput(/never printed/, 50), /timed out after 50 ms/);
      daemon.kill();
      assert.deepEqual(await daemon.waitForExit(), { code: 3, signal: null });
      assert.match(daemon.output(), /bye\n$/);
      daemon.kill();

      const quitter = startDaemon([], { script: join(dir, 'missing.mjs') });
      await assert.rejects(
        quitter.waitForOutput(/ready/),
        /exited \(code 1, signal null\) before its output matched/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
