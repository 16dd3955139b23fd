import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { childEnv, trackChild } from './process.js';

export interface S3TestServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  /** s3rver's filesystem store; removed by stop(). */
  directory: string;
  client: S3Client;
  /** Kills the server process and removes its directory. Safe to call more than once. */
  stop(): Promise<void>;
  /** Every key in the bucket (following continuation tokens), in S3's lexicographic order. */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  getObject(bucket: string, key: string): Promise<Buffer>;
}

const childScript = fileURLToPath(new URL('./s3rver-child.js', import.meta.url));
const startTimeoutMs = 15_000;
const stopTimeoutMs = 5_000;

/** Client settings that s3rver needs; reuse them when a test builds its own client. */
export function s3ClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // With the SDK's default (WHEN_SUPPORTED), a streamed PutObject body is sent aws-chunked with
    // a checksum trailer, and s3rver stores the chunk framing as object data (limits.md §2d).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  } as const;
}

/** Starts s3rver in a child process on a free 127.0.0.1 port with a fresh directory. */
export async function startS3Server(opts: { buckets?: string[] } = {}): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'sluice-s3rver-'));
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', childScript, directory, JSON.stringify(opts.buckets ?? [])],
    { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  trackChild(child);

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  // 'close' comes after 'exit' once stdio is drained: the process is fully gone.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      let stdout = '';
      const detach = (): void => {
        clearTimeout(timer);
        child.off('error', onError);
        child.off('exit', onExit);
        child.stdout.off('data', onData);
      };
      const fail = (err: Error): void => {
        detach();
        reject(new Error(`${err.message}; stderr:\n${stderr}`));
      };
      const onError = (err: Error): void => fail(err);
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        fail(new Error(`s3rver exited early (code ${code}, signal ${signal})`));
      const onData = (chunk: string): void => {
        stdout += chunk;
        const newline = stdout.indexOf('\n');
        if (newline < 0) return;
        const line = stdout.slice(0, newline);
        let ready: { port?: unknown };
        try {
          ready = JSON.parse(line) as { port?: unknown };
        } catch {
          fail(new Error(`s3rver child printed ${JSON.stringify(line)} instead of its port`));
          return;
        }
        if (typeof ready.port !== 'number') {
          fail(new Error(`no port in s3rver child's ready line ${line}`));
          return;
        }
        detach();
        resolve(ready.port);
      };
      const timer = setTimeout(
        () => fail(new Error(`s3rver did not start within ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      child.once('error', onError);
      child.once('exit', onExit);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', onData);
    });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    await rm(directory, { recursive: true, force: true });
    throw err;
  }

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client(s3ClientConfig(endpoint));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      client.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
        await exited;
        clearTimeout(timer);
      }
      await rm(directory, { recursive: true, force: true });
    })();
    return stopping;
  };

  return {
    endpoint,
    port,
    directory,
    client,
    stop,
    async listKeys(bucket: string, prefix?: string): Promise<string[]> {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
        if (page.IsTruncated && !page.NextContinuationToken) {
          throw new Error(
            `ListObjectsV2 s3://${bucket}/${prefix ?? ''} is truncated but has no continuation token`,
          );
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys;
    },
    async getObject(bucket: string, key: string): Promise<Buffer> {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (response.Body === undefined) throw new Error(`GetObject s3://${bucket}/${key} returned no body`);
      const bytes = await response.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  };
}
