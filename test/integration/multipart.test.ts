// A 200 MiB object goes through the S3 destination as a streamed multipart upload, with the
// process's peak RSS far below the object's size (DESIGN.md invariant 6).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type S3TestServer, startS3Server } from '../support/s3server.js';

const child = fileURLToPath(new URL('./multipart-child.js', import.meta.url));

describe('S3 multipart upload (real S3-compatible server)', () => {
  let s3: S3TestServer;
  before(async () => {
    s3 = await startS3Server({ buckets: ['landing'] });
  });
  after(async () => {
    await s3?.stop();
  });

  it('streams objects of 200 and 400 MiB with the same peak RSS, well under their size', async () => {
    const peak = async (mib: number) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [child, s3.endpoint, 'landing', String(mib)],
        {
          timeout: 180_000,
        },
      );
      const { peakRssMiB, bytes } = JSON.parse(stdout.trim().split('\n').pop() as string) as {
        peakRssMiB: number;
        bytes: number;
      };
      assert.equal(bytes, mib * 1024 * 1024, 'the whole object arrived');
      process.stdout.write(`# multipart: ${mib} MiB object, peak RSS ${peakRssMiB.toFixed(0)} MiB\n`);
      return peakRssMiB;
    };
    const at200 = await peak(200);
    const at400 = await peak(400);
    // Memory is the process's baseline plus a few parts in flight, whatever the object's size.
    assert.ok(
      Math.abs(at400 - at200) < 40,
      `peak RSS grew from ${at200.toFixed(0)} to ${at400.toFixed(0)} MiB`,
    );
    assert.ok(at400 < 200, `peak RSS ${at400.toFixed(0)} MiB for a 400 MiB object`);
  });
});
