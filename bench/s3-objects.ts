// Reading what landed in S3: every object is fetched, decompressed and its lines and request
// markers counted, so "delivered" is what S3 holds, not what the daemon says it sent. The marker
// check also proves delivery was exactly once: each acked request once, no refused request.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { DecompressStream } from 'zstd-napi';
import type { S3TestServer } from '../test/support/s3server.js';
import { MARKER } from './corpus.js';

const MARKER_BYTES = Buffer.from(MARKER);
const NEWLINE = 0x0a;
const COMMA = 0x2c;

export interface ObjectScan {
  lines: number;
  rawBytes: number;
  /** Request markers (their sequence numbers) in the object, in order. */
  seqs: number[];
}

/**
 * Decompresses by extension, failing on a truncated object. zstd-napi's one-shot decompress()
 * is not used: on a truncated streamed frame it returns the part it could decode without an
 * error (and it has refused some valid streamed frames), which would hide a short object.
 */
export async function decompressObject(key: string, data: Buffer): Promise<Buffer> {
  if (key.endsWith('.gz')) return gunzipSync(data);
  if (!key.endsWith('.zst')) return data;
  const chunks: Buffer[] = [];
  await pipeline(Readable.from([data]), new DecompressStream(), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

export async function scanObject(key: string, data: Buffer): Promise<ObjectScan> {
  const raw = await decompressObject(key, data);
  let lines = 0;
  for (let at = raw.indexOf(NEWLINE); at !== -1; at = raw.indexOf(NEWLINE, at + 1)) lines += 1;
  const seqs: number[] = [];
  for (let at = raw.indexOf(MARKER_BYTES); at !== -1; at = raw.indexOf(MARKER_BYTES, at + 1)) {
    const start = at + MARKER_BYTES.length;
    const end = raw.indexOf(COMMA, start);
    seqs.push(Number(raw.toString('latin1', start, end)));
  }
  return { lines, rawBytes: raw.length, seqs };
}

export interface BucketCheck {
  objects: number;
  objectBytes: number;
  lines: number;
  rawBytes: number;
  /** Acked requests whose marker is in no object. */
  missing: number;
  /** Markers found more than once. */
  duplicates: number;
  /** Markers of requests that were refused or failed (they must not land). */
  unexpected: number;
  problems: string[];
}

/** Reads back the whole bucket and compares it with what the load generator was acked. */
export async function checkBucket(
  s3: S3TestServer,
  bucket: string,
  expected: { records: number; ackedSeqs: readonly number[]; notAckedSeqs: readonly number[] },
): Promise<BucketCheck> {
  const keys = await s3.listKeys(bucket);
  const seen = new Map<number, number>();
  let objectBytes = 0;
  let lines = 0;
  let rawBytes = 0;
  for (const key of keys) {
    const data = await s3.getObject(bucket, key);
    objectBytes += data.length;
    const scan = await scanObject(key, data);
    lines += scan.lines;
    rawBytes += scan.rawBytes;
    for (const seq of scan.seqs) seen.set(seq, (seen.get(seq) ?? 0) + 1);
  }
  const missing = expected.ackedSeqs.filter((seq) => !seen.has(seq)).length;
  const duplicates = [...seen.values()].filter((count) => count > 1).length;
  const unexpected = expected.notAckedSeqs.filter((seq) => seen.has(seq)).length;
  const problems: string[] = [];
  if (lines !== expected.records) problems.push(`S3 holds ${lines} records, ${expected.records} were acked`);
  if (missing > 0) problems.push(`${missing} acked requests are missing from S3`);
  if (duplicates > 0) problems.push(`${duplicates} requests landed more than once`);
  if (unexpected > 0) problems.push(`${unexpected} refused requests landed in S3`);
  return { objects: keys.length, objectBytes, lines, rawBytes, missing, duplicates, unexpected, problems };
}
