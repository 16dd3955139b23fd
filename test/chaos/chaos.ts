// One chaos run: producers put `records` records through both ingest APIs while the fault
// schedule (faults.ts) kills daemon processes and Redis, fails S3 and stalls transforms; then
// everything is healed, the backlog drains, and what landed in S3 (data and error output) is
// counted by record ID against what the producers were told (ledger.ts). Used by
// `npm run chaos` (run.ts) and, small, by chaos.test.ts.
import { loadavg } from 'node:os';
import { countDelivered, type DeliveredCounts } from '../support/delivered.js';
import { exactlyOnce, Ledger, type Verdict } from '../support/ledger.js';
import { type ProducerStats, Producers } from '../support/producers.js';
import { derivedRandom, seededRandom } from '../support/random.js';
import { BUCKET, ChaosEnvironment, type Fsync, type Role, STREAM } from './environment.js';
import { DEFAULT_PACE, type FaultPace, FaultScheduler } from './faults.js';

export interface ChaosOptions {
  records: number;
  fsync: Fsync;
  seed: number;
  nodes?: Record<Role, number>;
  /** Producer loops per API. */
  producers?: number;
  ratePerSecond?: number;
  recordsPerRequest?: [number, number];
  pace?: FaultPace;
  /** How long the backlog may take to drain once the faults stop. */
  drainTimeoutMs?: number;
  /** Progress lines (faults as they happen). */
  log?: (line: string) => void;
}

export interface ChaosReport {
  options: { records: number; fsync: Fsync; seed: number };
  verdict: Verdict;
  passed: boolean;
  delivered: Omit<DeliveredCounts, 'counts'>;
  producers: ProducerStats;
  faults: Record<string, number>;
  s3Faults: Record<string, number>;
  /** Seconds: producing under faults, then draining. */
  seconds: { producing: number; draining: number };
  loadAverage: { start: number[]; end: number[] };
  /** Where configs, daemon logs and the Redis AOF were kept, when the run failed. */
  keptDir?: string;
}

/** A Redis crash can cost the records acked in the moment before it, at most this long. */
const LOSS_WINDOW_MS = 2000;

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  const start = loadavg();
  const env = await ChaosEnvironment.start(
    { fsync: options.fsync, nodes: options.nodes ?? { ingest: 2, worker: 2, cutter: 1 } },
    derivedRandom(random),
  );
  let keep = true;
  try {
    const ledger = new Ledger();
    const producers = new Producers({
      stream: STREAM,
      ports: () => env.ingestPorts(),
      ledger,
      random: derivedRandom(random),
      total: options.records,
      concurrency: options.producers ?? 4,
      ...(options.ratePerSecond ? { ratePerSecond: options.ratePerSecond } : {}),
      ...(options.recordsPerRequest ? { recordsPerRequest: options.recordsPerRequest } : {}),
    });
    const faults = new FaultScheduler(env, derivedRandom(random), options.pace ?? DEFAULT_PACE, log);
    const began = Date.now();
    faults.start();
    await producers.run();
    await faults.stop();
    const produced = Date.now();
    log(`producers done (${ledger.ackedCount()} acked); faults stopped; draining`);
    await env.drained(options.drainTimeoutMs ?? 180_000);
    const drained = Date.now();
    const delivered = await countDelivered(env.s3, BUCKET, { dataPrefix: 'data/', errorPrefix: 'errors/' });
    // With `always`, Redis writes and fsyncs before it answers: no window at all.
    const windows: [number, number][] =
      options.fsync === 'everysec' ? faults.redisKills.map((at) => [at - LOSS_WINDOW_MS, at]) : [];
    const verdict = ledger.verify(delivered.counts, windows);
    const passed = exactlyOnce(verdict, options.fsync === 'everysec');
    keep = !passed;
    const { counts: _counts, ...deliveredFigures } = delivered;
    return {
      options: { records: options.records, fsync: options.fsync, seed: options.seed },
      verdict,
      passed,
      delivered: deliveredFigures,
      producers: producers.stats,
      faults: faults.counts,
      s3Faults: faults.s3Counts(),
      seconds: { producing: (produced - began) / 1000, draining: (drained - produced) / 1000 },
      loadAverage: { start, end: loadavg() },
      ...(keep ? { keptDir: env.dir } : {}),
    };
  } finally {
    await env.stop(keep);
  }
}

export function formatReport(report: ChaosReport): string {
  const v = report.verdict;
  const round = (values: number[]) => values.map((n) => n.toFixed(2)).join(' ');
  const lines = [
    `chaos run: ${report.options.records} records, appendfsync ${report.options.fsync}, seed ${report.options.seed}: ${report.passed ? 'PASSED' : 'FAILED'}`,
    `  records   sent ${v.sent}, acked ${v.acked}, delivered ${v.delivered} (data ${report.delivered.dataRecords}, error output ${report.delivered.errorRecords} ${JSON.stringify(report.delivered.errorTypes)}, in ${report.delivered.objects} objects)`,
    `  verdict   lost ${v.lost}, duplicated ${v.duplicated}, refused ${v.refused}, refused but delivered ${v.refusedButDelivered}, phantom ${v.phantom}`,
    `            lost in a Redis loss window ${v.lostInWindow}${report.options.fsync === 'always' ? ' (none allowed with always)' : ' (allowed with everysec)'}`,
    `            outcome unknown and never acked ${v.unknownOnly} (of them delivered ${v.unknownDelivered}); delivered twice after an unknown outcome ${v.duplicatedAfterUnknown} (at-least-once, allowed)`,
    `  requests  ${report.producers.requests}: ${JSON.stringify(report.producers.byOutcome)}, answers ${JSON.stringify(report.producers.codes)}, given up ${report.producers.gaveUp}`,
    `  faults    ${JSON.stringify(report.faults)}`,
    `  S3 faults ${JSON.stringify(report.s3Faults)}`,
    `  time      producing ${report.seconds.producing.toFixed(1)} s, draining ${report.seconds.draining.toFixed(1)} s; load average ${round(report.loadAverage.start)} at start, ${round(report.loadAverage.end)} at end`,
  ];
  for (const [kind, ids] of Object.entries(v.examples)) lines.push(`  e.g. ${kind}: ${ids.join(', ')}`);
  if (report.keptDir) lines.push(`  kept for inspection: ${report.keptDir}`);
  return lines.join('\n');
}
