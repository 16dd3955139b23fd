// Object keys follow Firehose's layout:
//   <evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<id><extension>
// Everything in it derives from the batch (its first record's arrival time, its sequence and
// first entry ID, the partition's keys), never from the clock or a random source, so a retried
// batch rewrites the same keys instead of landing twice (DESIGN.md invariant 4).
import { createHash } from 'node:crypto';
import type { Batch } from '../buffer/batch.js';
import type { ErrorOutputType, PartitionKeys, PrefixTemplate } from './prefix.js';

/** Firehose numbers a stream's configuration versions from 1; Sluice has one version. */
export const STREAM_VERSION = 1;

export interface ObjectKeyParts {
  prefix: PrefixTemplate;
  batch: Batch;
  extension: string;
  /** For partitioned streams: the partition's identity, keys and its first record's arrival. */
  partition?: { id: string; keys: PartitionKeys; firstArrivalMs: number };
  /** Distinguishes the other objects of a batch (error output, backup) from its data object. */
  variant?: 'backup' | ErrorOutputType;
}

export function objectKey({ prefix, batch, extension, partition, variant }: ObjectKeyParts): string {
  const seed = [batch.stream, batch.seq, batch.firstId, variant ?? 'data', partition?.id ?? ''].join('\n');
  // Firehose evaluates timestamps at the arrival time of the oldest record in the object.
  const timeMs = partition?.firstArrivalMs ?? batch.firstArrivalMs;
  const evaluated = prefix.render({
    timeMs,
    seed,
    ...(variant && variant !== 'backup' ? { errorOutputType: variant } : {}),
    ...(partition ? { partitionKeys: partition.keys } : {}),
  });
  return `${evaluated}${batch.stream}-${STREAM_VERSION}-${keyTime(timeMs)}-${uuidFrom(seed)}${extension}`;
}

function keyTime(ms: number): string {
  // 2026-11-26T20:00:36.123Z → 2026-11-26-20-00-36
  return new Date(ms).toISOString().slice(0, 19).replace(/[T:]/g, '-');
}

/** A UUID-shaped ID (version nibble 8: custom) hashed from the object's identity. */
function uuidFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
