// Runs s3rver in its own process, started by s3server.ts. Kept separate so that s3rver's CPU use
// and crashes do not land in the test process, and so that it can run with
// --openssl-legacy-provider: s3rver 3.7.1 encrypts ListObjectsV2 continuation tokens with DES,
// which Node 20's OpenSSL 3 rejects otherwise (limits.md, "5. Later finding").
//
// argv: <directory> <buckets as a JSON string array>
// stdout: one JSON line {"port": N} once listening; nothing else is written there.
import { rmSync } from 'node:fs';
import S3rver from 's3rver';

const [directory, bucketsJson = '[]'] = process.argv.slice(2);
if (directory === undefined) {
  process.stderr.write('usage: s3rver-child <directory> [buckets-json]\n');
  process.exit(2);
}
const buckets: unknown = JSON.parse(bucketsJson);
if (!Array.isArray(buckets) || !buckets.every((name) => typeof name === 'string')) {
  process.stderr.write(`buckets must be a JSON array of strings, got ${bucketsJson}\n`);
  process.exit(2);
}

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: true,
  configureBuckets: buckets.map((name: string) => ({ name, configs: [] })),
});

// s3rver only rejects run() for bucket setup errors; a failing listen() is emitted as an
// unhandled 'error' event, which crashes this process and the parent sees the exit.
const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);

// The parent holds our stdin open. When it goes away (test process crashed or was killed
// without calling stop()), the pipe closes: nobody else will stop us or remove the directory.
const orphaned = (): void => {
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', orphaned);
process.stdin.on('error', orphaned);
process.stdin.resume();
