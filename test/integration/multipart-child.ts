// Runs in its own process so its peak RSS measures one thing: the S3 destination streaming a
// 200 MiB object through a multipart upload. Prints { peakRssMiB, baselineMiB, bytes } as JSON,
// the baseline being the process's RSS once everything is loaded, before the upload.
import { Readable } from 'node:stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { s3DestinationSchema } from '../../src/config/schema.js';
import { S3Destination } from '../../src/destinations/s3/index.js';

const [endpoint, bucket, mib] = process.argv.slice(2) as [string, string, string];
const total = Number(mib) * 1024 * 1024;
const chunk = Buffer.alloc(1024 * 1024);

function* generate(): Generator<Buffer> {
  for (let sent = 0; sent < total; sent += chunk.length) {
    // Different bytes per MiB, so nothing upstream can dedupe or compress them away.
    chunk.fill(sent / chunk.length);
    yield Buffer.from(chunk);
  }
}

const config = s3DestinationSchema.parse({
  type: 's3',
  bucket,
  endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  partSizeMiB: 8,
});
const destination = new S3Destination(config);
const baselineMiB = process.memoryUsage().rss / 1024 / 1024;
const result = await destination.put(
  { key: 'big/object', body: Readable.from(generate()), contentType: 'application/octet-stream' },
  AbortSignal.timeout(120_000),
);
if (result.status !== 'delivered') throw new Error(`upload failed: ${JSON.stringify(result)}`);
const client = (destination as unknown as { client: import('@aws-sdk/client-s3').S3Client }).client;
const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big/object' }));
await destination.close();
process.stdout.write(
  `${JSON.stringify({ peakRssMiB: process.resourceUsage().maxRSS / 1024, baselineMiB, bytes: head.ContentLength })}\n`,
);
