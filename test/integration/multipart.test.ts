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
      const { peakRssMiB, baselineMiB, bytes } = JSON.parse(stdout.trim().split('\n').pop() as string) as {
        peakRssMiB: number;
        baselineMiB: number;
        bytes: number;
      };
      assert.equal(bytes, mib * 1024 * 1024, 'the whole object arrived');
      process.stdout.write(
        `# multipart: ${mib} MiB object, peak RSS ${peakRssMiB.toFixed(0)} MiB (${baselineMiB.toFixed(0)} MiB before the upload)\n`,
      );
      return { peak: peakRssMiB, added: peakRssMiB - baselineMiB };
    };
    const at200 = await peak(200);
    const at400 = await peak(400);
    // Memory is the process's baseline plus a few parts in flight and the garbage not yet
    // collected, whatever the object's size: measured here, the upload adds ~95 MiB on Node 20
    // and ~115 MiB on Node 24 (whose baseline is also ~15 MiB larger), for 200 and 400 MiB alike.
    assert.ok(
      Math.abs(at400.peak - at200.peak) < 40,
      `peak RSS grew from ${at200.peak.toFixed(0)} to ${at400.peak.toFixed(0)} MiB`,
    );
    assert.ok(
      at400.added < 160,
      `the upload of a 400 MiB object added ${at400.added.toFixed(0)} MiB to the process's RSS`,
    );
  });
});
