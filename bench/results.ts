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
  stream: {
    /** ndjson, or e.g. "parquet (snappy)"; absent in files written before formats existed (ndjson). */
    format?: string;
    /** The identity transform ran on every record. */
    transform?: boolean;
    compression: string;
    sizeMiB: number;
    intervalSeconds: number;
    roles: string;
  };
  load: {
    mode: 'open-loop' | 'fixed-rate';
    /** How records were sent; absent in older files (ndjson). */
    api?: 'ndjson' | 'firehose';
    /** none, or keys (SigV4-signed PutRecordBatch / bearer token); absent in older files (none). */
    auth?: 'none' | 'keys';
    offeredRecordsPerSec?: number;
    /** Where the offered rate came from (--rate, or half of a rate measured earlier). */
    rateSource?: string;
    connections: number;
    durationSeconds: number;
    /** First request sent → last answer received. */
    elapsedSeconds: number;
    requests: { ok: number; refused: number; failed: number; late: number; partial?: number };
    averageRecordBytes: number;
    errors: string[];
  };
  acked: {
    records: number;
    recordBytes: number;
    recordsPerSec: number;
    /** Record bytes (as sluice_incoming_bytes_total counts them: base64 decoded, no newlines). */
    mibPerSec: number;
    /** Fully acked requests per second (absent in older files). */
    requestsPerSec?: number;
    /** Request bodies on the wire (base64 and JSON for PutRecordBatch) per second. */
    requestMiBPerSec?: number;
    /** Records answered as not stored: 503, or PutRecordBatch FailedPutCount > 0. */
    refusedRecords?: number;
  };
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
    /**
     * By process tree (sluice: the daemon and its cluster workers; redis, s3rver, loadgen), plus
     * `machine` (all cores busy) and `others`.
     */
    seconds: Record<string, number>;
    /** CPU-seconds per GiB of acked record bytes, by process. */
    perGiB: Record<string, number>;
  };
  memory: {
    /**
     * Sum of the peak RSS (VmHWM) of the daemon's processes (a node:cluster supervisor and its
     * workers); older files: the one process.
     */
    sluicePeakRssMiB?: number;
    /** The largest single process's peak RSS. */
    sluiceMaxProcessPeakRssMiB?: number;
    /** How many daemon processes were measured (live at the end of the measurement). */
    sluiceProcesses?: number;
    redisPeakRssMiB?: number;
  };
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
  /** The daemon's last log lines, kept when there were problems. */
  daemonLogTail?: string;
  /** Directory of the daemon's --cpu-prof profiles, and their hottest entries (main thread). */
  profile?: string;
  profileTop?: { functions: ProfileEntry[]; modules: ProfileEntry[] };
}

export interface BenchResult {
  version: 1;
  startedAt: string;
  finishedAt: string;
  options: {
    /** Absent in older files (ndjson, none). */
    api?: 'ndjson' | 'firehose';
    auth?: 'none' | 'keys';
    durationSeconds: number;
    connections: number;
    rate?: number;
    bufferMiB: number;
    recordsPerRequest: number;
    /** --processes, when given. */
    processes?: number;
    /** --redis-args, when given: Redis settings other than deploy/redis.conf's. */
    redisArgs?: string[];
    /** --daemon-config, when given. */
    daemonConfig?: string;
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
