// Shared pieces of the end-to-end tests: a config file for a daemon pointed at the test
// services, NDJSON puts, and reading every delivered object back.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { DecompressStream } from 'zstd-napi';
import { freePort } from '../support/ports.js';
import { type DaemonProcess, startDaemon } from '../support/process.js';
import { type TestRedis, testRedis } from '../support/redis.js';
import { type S3TestServer, startS3Server } from '../support/s3server.js';

export interface TestPorts {
  ingest: number;
  admin: number;
}

export async function testPorts(): Promise<TestPorts> {
  return { ingest: await freePort(), admin: await freePort() };
}

/** Writes a config file into a fresh temp dir; returns its path and a cleanup. */
export async function writeConfig(
  yaml: string,
): Promise<{ file: string; dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-e2e-'));
  const file = join(dir, 'sluice.yaml');
  await writeFile(file, yaml);
  return { file, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface StackServices {
  s3: S3TestServer;
  redis: TestRedis;
  ports: TestPorts;
}

export interface DaemonStack extends StackServices {
  daemon: DaemonProcess;
  config: Awaited<ReturnType<typeof writeConfig>>;
  /** Kills the daemon and removes everything the stack started. Safe on a partial start. */
  stop(): Promise<void>;
}

/**
 * s3rver with `buckets`, a Redis key prefix of its own, free ports, and the daemon running the
 * config that `yaml` builds from them; resolves once the daemon says it started.
 */
export async function startStack(
  buckets: string[],
  yaml: (services: StackServices) => string,
): Promise<DaemonStack> {
  const services: StackServices = {
    s3: await startS3Server({ buckets }),
    redis: await testRedis(),
    ports: await testPorts(),
  };
  const config = await writeConfig(yaml(services));
  const daemon = startDaemon(['start', '--config', config.file]);
  const stack: DaemonStack = {
    ...services,
    daemon,
    config,
    async stop() {
      daemon.kill('SIGKILL');
      await daemon.waitForExit(10_000).catch(() => undefined);
      await services.s3.stop();
      await services.redis.cleanup();
      await config.cleanup();
    },
  };
  try {
    await daemon.waitForOutput(/Sluice started/, 30_000);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/** Puts JSON records as one NDJSON request and checks it was acked. */
export async function putRecords(port: number, stream: string, records: object[]): Promise<void> {
  const answer = await putNdjson(port, stream, records.map((r) => JSON.stringify(r)).join('\n'));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
}

export interface PutAnswer {
  status: number;
  body: { count?: number; recordIds?: string[]; error?: { code: string; message: string } };
}

export async function putNdjson(port: number, stream: string, body: string | Buffer): Promise<PutAnswer> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/streams/${stream}/records`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body,
  });
  return { status: res.status, body: (await res.json()) as PutAnswer['body'] };
}

/**
 * Decompresses by the key's extension. zstd goes through the streaming decoder: zstd-napi's
 * one-shot decompress() returns partial output for a truncated streamed frame, without an error.
 */
export async function decompressObject(key: string, data: Buffer): Promise<Buffer> {
  if (key.endsWith('.gz')) return gunzipSync(data);
  if (!key.endsWith('.zst')) return data;
  const parts: Buffer[] = [];
  await pipeline(Readable.from([data]), new DecompressStream(), async (source: AsyncIterable<Buffer>) => {
    for await (const part of source) parts.push(part);
  });
  return Buffer.concat(parts);
}

/** Every line of every object under `prefix`, with the key it came from. */
export async function deliveredLines(
  s3: S3TestServer,
  bucket: string,
  prefix = '',
): Promise<{ keys: string[]; lines: { key: string; line: string }[] }> {
  const keys = await s3.listKeys(bucket, prefix);
  const lines: { key: string; line: string }[] = [];
  for (const key of keys) {
    const text = (await decompressObject(key, await s3.getObject(bucket, key))).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') lines.push({ key, line });
  }
  return { keys, lines };
}

export async function metricValue(
  adminPort: number,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (wanted.every((pair) => line.includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
