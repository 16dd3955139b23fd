// The benchmark's scenarios (issue 5). Each is one delivery stream configuration plus how it is
// loaded and what is measured. Scenarios that need features Sluice does not have yet are listed
// with the reason, so the report shows the gap instead of a made-up figure.
export type Compression = 'none' | 'gzip' | 'zstd';

export interface Scenario {
  name: string;
  description: string;
  compression: Compression;
  sizeMiB: number;
  intervalSeconds: number;
  maxBacklogMiB: number;
  /** `--roles` of the daemon; ingest-only runs without the worker, so nothing is ever delivered. */
  roles: string;
  /** Wait until every acked record is delivered, then count and check the objects in S3. */
  delivers: boolean;
  /** Run at a fixed offered rate and measure ack → object visible for every request. */
  endToEnd: boolean;
}

export interface UnavailableScenario {
  name: string;
  reason: string;
}

export interface ScenarioSettings {
  /** buffering.sizeMiB of the delivery scenarios. */
  bufferMiB: number;
}

export function scenarios(settings: ScenarioSettings): Scenario[] {
  const delivery = (compression: Compression): Scenario => ({
    name: `s3-ndjson-${compression}`,
    description: `open loop, NDJSON + ${compression} to S3 (s3rver), ${settings.bufferMiB} MiB / 1 s buffers`,
    compression,
    sizeMiB: settings.bufferMiB,
    // 1 s so the last partial batch is cut soon after the load stops: the drain time then
    // measures delivery, not the buffer interval.
    intervalSeconds: 1,
    maxBacklogMiB: 4096,
    roles: 'ingest,cutter,worker',
    delivers: true,
    endToEnd: false,
  });
  const latency = (intervalSeconds: number): Scenario => ({
    name: intervalSeconds === 1 ? 'latency' : `latency-interval-${intervalSeconds}`,
    description: `fixed rate, NDJSON + zstd to S3, interval ${intervalSeconds} s; ack → object visible`,
    compression: 'zstd',
    sizeMiB: 64,
    intervalSeconds,
    maxBacklogMiB: 4096,
    roles: 'ingest,cutter,worker',
    delivers: true,
    endToEnd: true,
  });
  return [
    {
      name: 'ingest-only',
      description: 'open loop, acked into Redis; no delivery worker (128 MiB / 900 s buffers)',
      compression: 'zstd',
      sizeMiB: 128,
      intervalSeconds: 900,
      maxBacklogMiB: 1024 * 1024,
      roles: 'ingest,cutter',
      delivers: false,
      endToEnd: false,
    },
    delivery('zstd'),
    delivery('gzip'),
    latency(1),
    latency(0),
  ];
}

/**
 * Issue 5 scenarios the benchmark cannot run yet. Listed, not faked: each needs a daemon
 * feature and then a scenario here (config, and a way to count what landed, e.g. DuckDB for
 * Parquet).
 */
export function unavailableScenarios(): UnavailableScenario[] {
  return [
    {
      name: 's3-transform-identity',
      reason: 'not available yet: needs transforms in the daemon and a scenario in bench/scenarios.ts',
    },
    {
      name: 's3-parquet',
      reason: 'not available yet: needs Parquet output in the daemon and a scenario in bench/scenarios.ts',
    },
  ];
}
