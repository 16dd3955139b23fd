// One scenario, from nothing to nothing: a private Redis, an s3rver, the daemon, the load; then
// the measurements; everything started is registered with `cleanup` before anything else can
// fail. The CPU snapshots are taken right before the load starts and right after the last
// acked record is delivered (or, for ingest-only, right after the last answer).
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/ports.js';
import { startS3Server } from '../test/support/s3server.js';
import type { Cleanup } from './cleanup.js';
import type { Api } from './corpus.js';
import { awaitDelivery, type Delivered, verifyDelivery } from './delivery.js';
import { ObjectWatcher } from './e2e-watcher.js';
import { startLoadgen } from './loadgen-process.js';
import type { LoadgenAuth, LoadgenOptions } from './loadgen-protocol.js';
import {
  childPids,
  loadAverage,
  machineBusySeconds,
  peakRssMiB,
  snapshot,
  treePeakRss,
} from './proc-stats.js';
import { startRedis } from './redis-server.js';
import type { ScenarioResult } from './results.js';
import type { Scenario } from './scenarios.js';
import {
  BUCKET,
  type DaemonAuth,
  DELIVERED_PREFIX,
  type SluiceUnderTest,
  STREAM,
  startSluice,
} from './sluice-daemon.js';
import { GiB, MiB, round, summarize } from './stats.js';

export interface RunSettings {
  /** How the loadgen sends records (--api). */
  api: Api;
  /** `keys`: authenticated requests in every scenario (--auth); scenarios may force it. */
  auth: 'none' | 'keys';
  durationSeconds: number;
  connections: number;
  recordsPerRequest: number;
  /** Offered records/s; undefined runs open loop. */
  rate?: number;
  rateSource?: string;
  cpuProfileDir?: string;
  /** The daemon's `processes` (--processes); undefined keeps its default. */
  processes?: number;
  /** Arguments for redis-server after deploy/redis.conf's (--redis-args). */
  redisArgs: string[];
  /** Top-level YAML for the daemon's config (--daemon-config). */
  daemonConfig?: string;
}

/** Distinct bodies the loadgen cycles through: 64 × 500 records ≈ 32 MiB of distinct data. */
const BODY_COUNT = 64;
const SEED = 20261126;
/** Region the loadgen signs for: Sluice accepts any (it has none), AWS clients always name one. */
const SIGNING_REGION = 'us-east-1';

/** A fresh access key and API key for `auth: { mode: keys }`, or none. */
function credentials(mode: 'none' | 'keys'): { daemon: DaemonAuth; loadgen: LoadgenAuth } {
  if (mode === 'none') return { daemon: { mode: 'none' }, loadgen: { mode: 'none' } };
  const keys = {
    accessKeyId: `BENCH${randomBytes(6).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    apiKey: randomBytes(30).toString('base64'),
  };
  return {
    daemon: { mode: 'keys', ...keys },
    loadgen: { mode: 'keys', ...keys, region: SIGNING_REGION },
  };
}

/**
 * Runs the scenario; when it throws with the daemon started, the error carries the daemon's
 * log tail, so that a failure is reported with what the daemon said.
 */
export async function runScenario(
  scenario: Scenario,
  settings: RunSettings,
  cleanup: Cleanup,
  progress: (line: string) => void,
): Promise<ScenarioResult> {
  const started: { sluice?: SluiceUnderTest } = {};
  try {
    return await measure(scenario, settings, cleanup, progress, started);
  } catch (error) {
    const tail = started.sluice?.logTail();
    if (tail !== undefined && error instanceof Error) {
      error.message += `\n${started.sluice?.exited() ?? 'the daemon was running'}; its log ends:\n${tail}`;
    }
    throw error;
  }
}

async function measure(
  scenario: Scenario,
  settings: RunSettings,
  cleanup: Cleanup,
  progress: (line: string) => void,
  started: { sluice?: SluiceUnderTest },
): Promise<ScenarioResult> {
  const authMode = scenario.auth ?? settings.auth;
  const auth = credentials(authMode);
  const dir = await mkdtemp(join(tmpdir(), `sluice-bench-${scenario.name}-`));
  cleanup.add('temp dir', () => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'redis'));
  const redis = await startRedis(await freePort(), join(dir, 'redis'), settings.redisArgs);
  cleanup.add('redis-server', () => redis.stop());
  const s3 = await startS3Server({ buckets: [BUCKET] });
  cleanup.add('s3rver', () => s3.stop());
  const s3rverPid = childPids(/s3rver-child/)[0];
  const profileDir = settings.cpuProfileDir ? join(settings.cpuProfileDir, scenario.name) : undefined;
  const sluice = await startSluice({
    dir,
    redisUrl: redis.url,
    keyPrefix: `bench-${randomBytes(4).toString('hex')}`,
    s3Endpoint: s3.endpoint,
    scenario,
    auth: auth.daemon,
    ...(settings.processes === undefined ? {} : { processes: settings.processes }),
    ...(settings.daemonConfig === undefined ? {} : { extraConfig: settings.daemonConfig }),
    ...(profileDir ? { cpuProfileDir: profileDir } : {}),
  });
  cleanup.add('sluice daemon', () => sluice.stop());
  started.sluice = sluice;

  const loadOptions: LoadgenOptions = {
    port: sluice.ingestPort,
    stream: STREAM,
    api: settings.api,
    auth: auth.loadgen,
    shape: scenario.shape,
    durationMs: settings.durationSeconds * 1000,
    connections: settings.connections,
    seed: SEED,
    bodyCount: BODY_COUNT,
    recordsPerBody: settings.recordsPerRequest,
    requestTimeoutMs: 30_000,
    ...(settings.rate === undefined ? {} : { rate: settings.rate }),
  };
  const loadgen = startLoadgen(loadOptions);
  cleanup.add('load generator', () => loadgen.kill());
  await loadgen.ready;

  const pids = { sluice: sluice.pid, redis: redis.pid, s3rver: s3rverPid };
  const loadBefore = loadAverage();
  const cpuBefore = snapshot(pids);
  const busyBefore = machineBusySeconds();
  const drainTimeoutMs = Math.max(120_000, 10 * loadOptions.durationMs);
  const watcher = scenario.endToEnd
    ? new ObjectWatcher(s3, BUCKET, DELIVERED_PREFIX, loadOptions.durationMs + drainTimeoutMs + 60_000)
    : undefined;
  if (watcher) cleanup.add('S3 watcher', () => watcher.stop());
  progress(
    `${scenario.name}: ${settings.rate === undefined ? 'open loop' : `${settings.rate} records/s`}, ` +
      `${settings.connections} connections, ${settings.durationSeconds} s, ${settings.api} API` +
      (authMode === 'keys' ? ', authenticated' : ''),
  );
  loadgen.start();
  watcher?.start();
  const load = await loadgen.result(loadOptions.durationMs + 120_000);
  const problems: string[] = [];
  if (load.requests.refused > 0) {
    problems.push(
      `${load.requests.refused} requests refused (${load.refusedRecords} records: 503, or PutRecordBatch FailedPutCount > 0)`,
    );
  }
  if (load.requests.partial > 0) {
    problems.push(`${load.requests.partial} PutRecordBatch requests were acked only in part`);
  }
  if (load.requests.failed > 0)
    problems.push(`${load.requests.failed} requests failed: ${load.errors[0] ?? ''}`);
  if (load.requests.late > 0)
    problems.push(`${load.requests.late} requests started >100 ms after their slot`);
  const exited = sluice.exited();
  if (exited) throw new Error(`${exited} during the load`);
  const incoming = await sluice.metric('sluice_incoming_records_total', { stream: STREAM });
  if (incoming !== load.ackedRecords) {
    problems.push(`daemon counted ${incoming} incoming records, the loadgen was acked ${load.ackedRecords}`);
  }

  let delivered: Delivered | undefined;
  let windowEndMs = load.endedAtMs;
  if (scenario.delivers) {
    progress(`${scenario.name}: load done, ${load.ackedRecords} acked; waiting for delivery`);
    const waited = await awaitDelivery(sluice, load, drainTimeoutMs);
    delivered = waited.delivered;
    windowEndMs = waited.endMs;
    problems.push(...waited.problems);
  }
  const cpuAfter = snapshot(pids);
  const busyAfter = machineBusySeconds();
  const loadAfter = loadAverage();
  const sluiceRss = treePeakRss(sluice.pid);
  const memory = {
    sluicePeakRssMiB: sluiceRss.sumMiB,
    sluiceMaxProcessPeakRssMiB: sluiceRss.maxMiB,
    sluiceProcesses: sluiceRss.processes,
    redisPeakRssMiB: peakRssMiB(redis.pid),
  };

  let endToEnd: ScenarioResult['endToEnd'];
  if (watcher) {
    const acked = load.acks.map(([seq]) => seq);
    const seen = await watcher.waitFor(acked, 30_000);
    const watchError = await watcher.stop();
    if (watchError) problems.push(`S3 watcher: ${watchError}`);
    const latencies: number[] = [];
    for (const [seq, ackAt] of load.acks) {
      const visibleAt = watcher.visibleAt.get(seq);
      if (visibleAt !== undefined) latencies.push(Math.max(0, visibleAt - ackAt));
    }
    endToEnd = {
      ...summarize(latencies),
      acked: acked.length,
      seen,
      incompleteReads: watcher.incompleteReads,
      method:
        'every request: its ack time (loadgen) → the first S3 listing (every 100 ms) after which the object holding its marker read back complete',
    };
  }

  if (delivered) {
    progress(`${scenario.name}: reading the bucket back`);
    const markerColumn =
      scenario.format.type === 'parquet'
        ? Object.entries(scenario.format.schema).find(
            ([name, column]) => (column.field ?? name) === 'benchSeq',
          )?.[0]
        : undefined;
    problems.push(...(await verifyDelivery(delivered, s3, sluice, load, markerColumn)));
  }

  const windowSeconds = (windowEndMs - load.startedAtMs) / 1000;
  const cpuSeconds: Record<string, number> = {};
  const perGiB: Record<string, number> = {};
  const gib = load.ackedRecordBytes / GiB;
  for (const [name, after] of Object.entries(cpuAfter)) {
    const before = cpuBefore[name];
    if (before === undefined) continue;
    cpuSeconds[name] = round(after - before);
    perGiB[name] = gib > 0 ? round((after - before) / gib, 1) : 0;
  }
  // The loadgen exits right after its report, so it counts its own CPU (process.cpuUsage).
  cpuSeconds.loadgen = round(load.cpuSeconds);
  perGiB.loadgen = gib > 0 ? round(load.cpuSeconds / gib, 1) : 0;
  const ours = Object.values(cpuSeconds).reduce((sum, value) => sum + value, 0);
  cpuSeconds.machine = round(busyAfter - busyBefore);
  cpuSeconds.others = round(Math.max(0, busyAfter - busyBefore - ours));

  const elapsedSeconds = (load.endedAtMs - load.startedAtMs) / 1000;
  return {
    name: scenario.name,
    description: scenario.description,
    stream: {
      format:
        scenario.format.type === 'parquet'
          ? `parquet (${scenario.format.compression})`
          : scenario.format.type,
      transform: scenario.transform,
      compression: scenario.compression,
      sizeMiB: scenario.sizeMiB,
      intervalSeconds: scenario.intervalSeconds,
      roles: scenario.roles,
    },
    load: {
      mode: settings.rate === undefined ? 'open-loop' : 'fixed-rate',
      api: settings.api,
      auth: authMode,
      ...(settings.rate === undefined ? {} : { offeredRecordsPerSec: settings.rate }),
      ...(settings.rateSource === undefined ? {} : { rateSource: settings.rateSource }),
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
      elapsedSeconds: round(elapsedSeconds),
      requests: load.requests,
      averageRecordBytes: Math.round(load.averageRecordBytes),
      errors: load.errors,
    },
    acked: {
      records: load.ackedRecords,
      recordBytes: load.ackedRecordBytes,
      recordsPerSec: Math.round(load.ackedRecords / elapsedSeconds),
      mibPerSec: round(load.ackedRecordBytes / MiB / elapsedSeconds),
      requestsPerSec: round(load.requests.ok / elapsedSeconds, 1),
      requestMiBPerSec: round(load.ackedRequestBytes / MiB / elapsedSeconds),
      refusedRecords: load.refusedRecords,
    },
    ...(delivered ? { delivered } : {}),
    cpu: { windowSeconds: round(windowSeconds), seconds: cpuSeconds, perGiB },
    memory,
    ingestLatencyMs: load.latencyMs,
    ingestServiceMs: load.serviceMs,
    ...(endToEnd ? { endToEnd } : {}),
    loadAverage: { before: loadBefore, after: loadAfter },
    problems,
    ...(problems.length > 0 || sluice.exited() ? { daemonLogTail: sluice.logTail() } : {}),
    ...(profileDir ? { profile: profileDir } : {}),
  };
}
