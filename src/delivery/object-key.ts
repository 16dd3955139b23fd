// Object keys follow Firehose's layout:
//   <evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<id><extension>
// Everything in it derives from the batch (its first record's arrival time, its sequence and
// first entry ID), never from the clock or a random source, so a retried batch rewrites the
// same key instead of landing twice (DESIGN.md invariant 4).
import { createHash } from 'node:crypto';
import type { Batch } from '../buffer/batch.js';
import type { PrefixTemplate } from './prefix.js';

/** Firehose numbers a stream's configuration versions from 1; Sluice has one version. */
export const STREAM_VERSION = 1;

export interface ObjectKeyParts {
  prefix: PrefixTemplate;
  batch: Batch;
  extension: string;
}

export function objectKey({ prefix, batch, extension }: ObjectKeyParts): string {
  const seed = batchSeed(batch);
  const evaluated = prefix.render({ timeMs: batch.firstArrivalMs, seed });
  return `${evaluated}${batch.stream}-${STREAM_VERSION}-${keyTime(batch.firstArrivalMs)}-${batchUuid(seed)}${extension}`;
}

function batchSeed(batch: Batch): string {
  return `${batch.stream}\n${batch.seq}\n${batch.firstId}`;
}

function keyTime(ms: number): string {
  // 2026-11-26T20:00:36.123Z → 2026-11-26-20-00-36
  return new Date(ms).toISOString().slice(0, 19).replace(/[T:]/g, '-');
}

/** A UUID-shaped ID (version nibble 8: custom) hashed from the batch's identity. */
function batchUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
