// `npm run bench`: runs the scenarios of issue 5 one after the other, each against its own
// Redis, s3rver and daemon (run-scenario.ts), writes bench/results/<timestamp>.json, prints a
// markdown report, and compares with an earlier result file when asked. See bench/README.md.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Cleanup, cleanUpOnSignals } from './cleanup.js';
import { nodeToSwitchTo, rerunUnder } from './node-binary.js';
import { loadAverage, machineInfo } from './proc-stats.js';
import { profileMarkdown, summarizeProfiles } from './profile-summary.js';
import { compareReport, markdownReport } from './report.js';
import { type BenchResult, readResult, type ScenarioResult, writeResult } from './results.js';
import { runScenario } from './run-scenario.js';
import { type Scenario, scenarios, unavailableScenarios } from './scenarios.js';

const USAGE = `Usage: npm run bench -- [options]

  --scenario NAME     run only this scenario (repeat or comma-separate; default: all)
  --duration SECONDS  load duration per scenario (default 20)
  --api API           firehose: PutRecordBatch (AWS JSON 1.1, POST /); ndjson: POST
                      /v1/streams/bench/records (default firehose)
  --auth MODE         none: the daemon runs auth mode none, requests are unsigned; keys: an access
                      key and an API key, every PutRecordBatch SigV4-signed (NDJSON: bearer token)
                      (default none; the ingest-only-signed scenario always uses keys)
  --connections N     concurrent keep-alive connections of the load generator (default 8)
  --rate RECORDS/S    offered rate for every scenario (default: open loop; latency scenarios
                      run at half the delivered rate of s3-ndjson-zstd measured in this run)
  --buffer-mib N      buffering.sizeMiB of the open-loop s3-* scenarios (default 64)
  --processes N       the daemon's \`processes\` (default: the daemon's own default)
  --redis-args ARGS   more redis-server arguments, after deploy/redis.conf's (which the
                      benchmark's Redis runs with), e.g. "--auto-aof-rewrite-min-size 64mb"
  --daemon-config YAML
                      top-level YAML added to the daemon's generated config, e.g.
                      "workers: { deliveryThread: false }"
  --compare FILE      print ratios against an earlier result file
  --cpu-prof          profile the daemon (V8 sampling profiler) and list its hottest functions
  --node PATH         run everything under this Node binary (default: the Node running npm)
  -h, --help          show this help
`;

const RECORDS_PER_REQUEST = 500;
/** Latency scenarios without --rate and without a measured delivery rate run at this rate. */
const DEFAULT_LATENCY_RATE = 5_000;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = `${repoRoot}bench/results`;

function positiveNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, got "${text}"`);
  return value;
}

function oneOf<T extends string>(
  name: string,
  text: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (text === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(text))
    throw new Error(`--${name} must be one of ${allowed.join(', ')}, got "${text}"`);
  return text as T;
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

let current: Cleanup | undefined;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', multiple: true },
      duration: { type: 'string' },
      api: { type: 'string' },
      auth: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      'buffer-mib': { type: 'string' },
      compare: { type: 'string' },
      processes: { type: 'string' },
      'redis-args': { type: 'string' },
      'daemon-config': { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      node: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const switchTo = nodeToSwitchTo(values.node);
  if (switchTo) return await rerunUnder(switchTo);
  const api = oneOf('api', values.api, ['firehose', 'ndjson'] as const, 'firehose');
  const auth = oneOf('auth', values.auth, ['none', 'keys'] as const, 'none');
  const durationSeconds = positiveNumber('duration', values.duration, 20);
  const connections = Math.round(positiveNumber('connections', values.connections, 8));
  const rate = values.rate === undefined ? undefined : positiveNumber('rate', values.rate, 0);
  const bufferMiB = Math.round(positiveNumber('buffer-mib', values['buffer-mib'], 64));
  const processes =
    values.processes === undefined ? undefined : Math.round(positiveNumber('processes', values.processes, 1));
  const redisArgs = (values['redis-args'] ?? '').split(/\s+/).filter((arg) => arg !== '');
  // Read it first: a typo in --compare should fail before minutes of benchmarking, not after.
  const previous = values.compare ? await readResult(values.compare) : undefined;

  const all = scenarios({ bufferMiB });
  const unavailable = unavailableScenarios();
  const wanted = (values.scenario ?? []).flatMap((item) => item.split(',')).filter((name) => name !== '');
  const known = new Set([...all.map((s) => s.name), ...unavailable.map((u) => u.name)]);
  for (const name of wanted) {
    if (!known.has(name)) throw new Error(`unknown scenario "${name}"; scenarios: ${[...known].join(', ')}`);
  }
  const selected = wanted.length === 0 ? all : all.filter((s) => wanted.includes(s.name));
  const notYet = wanted.length === 0 ? unavailable : unavailable.filter((u) => wanted.includes(u.name));

  const startedAt = new Date().toISOString();
  const profileRoot = values['cpu-prof']
    ? `${resultsDir}/profiles/${startedAt.replace(/[:.]/g, '-')}`
    : undefined;
  const loadAverageStart = loadAverage();
  const results: ScenarioResult[] = [];
  const failed: BenchResult['failed'] = [];
  const profileReports: string[] = [];
  cleanUpOnSignals(() => current);

  for (const scenario of selected) {
    const { offered, source } = offeredRate(scenario, rate, results);
    const cleanup = new Cleanup();
    current = cleanup;
    let result: ScenarioResult | undefined;
    try {
      result = await runScenario(
        scenario,
        {
          api,
          auth,
          durationSeconds,
          connections,
          recordsPerRequest: RECORDS_PER_REQUEST,
          redisArgs,
          ...(values['daemon-config'] === undefined ? {} : { daemonConfig: values['daemon-config'] }),
          ...(processes === undefined ? {} : { processes }),
          ...(offered === undefined ? {} : { rate: offered }),
          ...(source === undefined ? {} : { rateSource: source }),
          ...(profileRoot ? { cpuProfileDir: profileRoot } : {}),
        },
        cleanup,
        log,
      );
    } catch (error) {
      log(`${scenario.name} failed: ${(error as Error).stack ?? String(error)}`);
      failed.push({ name: scenario.name, error: (error as Error).message });
    } finally {
      for (const failure of await cleanup.run()) log(`cleanup: ${failure}`);
      current = undefined;
    }
    if (!result) continue;
    if (result.profile) {
      for (const summary of await summarizeProfiles(result.profile).catch(() => [])) {
        profileReports.push(profileMarkdown(scenario.name, summary));
        result.profileTop = { functions: summary.topFunctions, modules: summary.byModule };
      }
    }
    results.push(result);
    log(
      `${scenario.name}: ${result.acked.recordsPerSec} acked rec/s` +
        (result.delivered ? `, ${result.delivered.recordsPerSec} delivered rec/s` : '') +
        (result.problems.length > 0 ? `; problems: ${result.problems.join('; ')}` : ''),
    );
  }

  const bench: BenchResult = {
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: {
      api,
      auth,
      durationSeconds,
      connections,
      ...(rate === undefined ? {} : { rate }),
      bufferMiB,
      recordsPerRequest: RECORDS_PER_REQUEST,
      ...(processes === undefined ? {} : { processes }),
      ...(redisArgs.length === 0 ? {} : { redisArgs }),
      ...(values['daemon-config'] === undefined ? {} : { daemonConfig: values['daemon-config'] }),
    },
    machine: { ...machineInfo(), loadAverageStart, loadAverageEnd: loadAverage() },
    scenarios: results,
    failed,
    unavailable: notYet,
  };
  const file = await writeResult(resultsDir, bench, repoRoot);
  const sections = [markdownReport(bench), ...profileReports];
  if (previous && values.compare) sections.push(compareReport(bench, previous, values.compare));
  process.stdout.write(`${sections.join('\n\n')}\n\nResult written to ${file}\n`);
  return failed.length > 0 ? 1 : 0;
}

/**
 * The rate a scenario is offered: --rate if given; for latency scenarios otherwise half the
 * delivered rate of s3-ndjson-zstd measured earlier in this run (issue 5: "at half of the
 * measured maximum rate"), so that delivery keeps up and the latency is not a growing queue.
 */
function offeredRate(
  scenario: Scenario,
  rate: number | undefined,
  done: readonly ScenarioResult[],
): { offered?: number; source?: string } {
  if (rate !== undefined) return { offered: rate, source: '--rate' };
  if (!scenario.endToEnd) return {};
  const zstd = done.find((s) => s.name === 's3-ndjson-zstd')?.delivered?.recordsPerSec;
  if (zstd && zstd > 0) {
    return { offered: Math.round(zstd / 2), source: `half of s3-ndjson-zstd's ${zstd} delivered rec/s` };
  }
  return {
    offered: DEFAULT_LATENCY_RATE,
    source: `default ${DEFAULT_LATENCY_RATE} rec/s (s3-ndjson-zstd not run before it; use --rate)`,
  };
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    await current?.run();
    process.exit(1);
  },
);
