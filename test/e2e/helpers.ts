// Shared pieces of the end-to-end tests: a config file for a daemon pointed at the test
// services, NDJSON puts, and reading every delivered object back.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { DecompressStream } from 'zstd-napi';
import { freePort } from '../support/ports.js';
import type { S3TestServer } from '../support/s3server.js';

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
