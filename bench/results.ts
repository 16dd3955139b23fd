// The shape of a result file (bench/results/<timestamp>.json) and reading/writing it. Keep the
// field names stable: --compare reads files written by older versions of the benchmark.
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MachineInfo } from './proc-stats.js';
import type { ProfileEntry } from './profile-summary.js';
import type { UnavailableScenario } from './scenarios.js';
import type { LatencySummary } from './stats.js';

export interface ScenarioResult {
  name: string;
  description: string;
  stream: { compression: string; sizeMiB: number; intervalSeconds: number; roles: string };
  load: {
    mode: 'open-loop' | 'fixed-rate';
    offeredRecordsPerSec?: number;
    /** Where the offered rate came from (--rate, or half of a rate measured earlier). */
    rateSource?: string;
    connections: number;
    durationSeconds: number;
    /** First request sent → last answer received. */
    elapsedSeconds: number;
    requests: { ok: number; refused: number; failed: number; late: number };
    averageRecordBytes: number;
    errors: string[];
  };
  acked: { records: number; recordBytes: number; recordsPerSec: number; mibPerSec: number };
  delivered?: {
    records: number;
    recordsPerSec: number;
    mibPerSec: number;
    /** Load start → the daemon's sluice_delivery_records_total reached the acked count. */
    windowSeconds: number;
    /** Load end → everything delivered. */
    drainSeconds: number;
    /** Delivered while the load ran (from the daemon's metric), per second of load. */
    duringLoadRecordsPerSec: number;
    /** From S3 itself: objects read back, decompressed and counted. */
    objects: number;
    objectMiB: number;
    compressionRatio: number;
    s3Records: number;
    problems: string[];
  };
  cpu: {
    /** The span the CPU deltas cover: load start → load end (ingest-only) or → drained. */
    windowSeconds: number;
    /** By process (sluice, redis, s3rver, loadgen), plus `machine` (all cores busy) and `others`. */
    seconds: Record<string, number>;
    /** CPU-seconds per GiB of acked record bytes, by process. */
    perGiB: Record<string, number>;
  };
  memory: { sluicePeakRssMiB?: number; redisPeakRssMiB?: number };
  ingestLatencyMs: LatencySummary;
  ingestServiceMs: LatencySummary;
  endToEnd?: LatencySummary & {
    acked: number;
    seen: number;
    /** Listed objects read back before s3rver had finished writing them (retried next poll). */
    incompleteReads: number;
    method: string;
  };
  loadAverage: { before: number[]; after: number[] };
  /** Anything that makes the figures doubtful (refusals, failures, mismatches). */
  problems: string[];
  /** Directory of the daemon's --cpu-prof profiles, and their hottest entries (main thread). */
  profile?: string;
  profileTop?: { functions: ProfileEntry[]; modules: ProfileEntry[] };
}

export interface BenchResult {
  version: 1;
  startedAt: string;
  finishedAt: string;
  options: {
    durationSeconds: number;
    connections: number;
    rate?: number;
    bufferMiB: number;
    recordsPerRequest: number;
  };
  machine: MachineInfo & { loadAverageStart: number[]; loadAverageEnd: number[] };
  scenarios: ScenarioResult[];
  failed: Array<{ name: string; error: string }>;
  unavailable: UnavailableScenario[];
}

/**
 * Writes the result, then lets the project's formatter lay it out: a kept result is committed,
 * and `npm run lint` (biome check .) would otherwise reject JSON.stringify's layout. Without
 * biome (a production install) the file is simply left as written.
 */
export async function writeResult(dir: string, result: BenchResult, repoRoot: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${result.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  spawnSync(join(repoRoot, 'node_modules', '.bin', 'biome'), ['format', '--write', file], {
    cwd: repoRoot,
    stdio: 'ignore',
  });
  return file;
}

export async function readResult(file: string): Promise<BenchResult> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as BenchResult;
  if (parsed.version !== 1 || !Array.isArray(parsed.scenarios)) {
    throw new Error(`${file} is not a benchmark result file (version 1)`);
  }
  return parsed;
}
