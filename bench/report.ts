// Turns results into markdown: the summary table, per-scenario notes, and ratios against an
// earlier result file (--compare).
import type { BenchResult, ScenarioResult } from './results.js';
import { round } from './stats.js';

const DASH = '–';

function num(value: number | undefined, digits = 0): string {
  if (value === undefined || Number.isNaN(value)) return DASH;
  return round(value, digits).toLocaleString('en-US');
}

function triple(summary: { count: number; p50: number; p99: number; max: number } | undefined): string {
  if (!summary || summary.count === 0) return DASH;
  return `${num(summary.p50, 1)} / ${num(summary.p99, 1)} / ${num(summary.max, 1)}`;
}

function loadLabel(s: ScenarioResult): string {
  const rate = s.load.mode === 'open-loop' ? 'open loop' : `${num(s.load.offeredRecordsPerSec)} rec/s`;
  const api = s.load.api ?? 'ndjson';
  const auth = s.load.auth === 'keys' ? (api === 'firehose' ? ' + SigV4' : ' + bearer') : '';
  return `${rate}, ${api}${auth}`;
}

/** What lands: format, outer compression, transform. */
function outputLabel(s: ScenarioResult): string {
  const format = s.stream.format ?? 'ndjson';
  const compression = s.stream.compression === 'none' ? '' : ` + ${s.stream.compression}`;
  return `${format}${compression}${s.stream.transform ? ', identity transform' : ''}`;
}

export function markdownReport(result: BenchResult): string {
  const m = result.machine;
  const out: string[] = [];
  out.push(`## Sluice benchmark, ${result.startedAt}`);
  out.push('');
  out.push(
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node} (${m.nodePath}), Redis ${m.redis}; ` +
      `load average ${m.loadAverageStart.join(' ')} at start, ${m.loadAverageEnd.join(' ')} at end. ` +
      `${result.options.durationSeconds} s per scenario, ${result.options.connections} connections, ` +
      `${result.options.recordsPerRequest} records per request. Redis: deploy/redis.conf` +
      (result.options.redisArgs ? ` with ${result.options.redisArgs.join(' ')}` : '') +
      '; Sluice processes: ' +
      (result.options.processes === undefined ? "the daemon's default" : String(result.options.processes)) +
      (result.options.daemonConfig ? `; daemon config adds \`${result.options.daemonConfig}\`` : '') +
      '.',
  );
  out.push('');
  out.push(
    '| scenario | load | acked req/s | acked rec/s | acked MiB/s | delivered rec/s | delivered MiB/s | Sluice CPU-s/GiB | Redis CPU-s/GiB | Sluice peak RSS MiB (all processes) | ingest p50/p99/max ms | e2e p50/p99/max ms | load avg 1 min before → after |',
  );
  out.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const s of result.scenarios) {
    out.push(
      `| ${s.name} | ${loadLabel(s)} | ${num(s.acked.requestsPerSec, 1)} | ${num(s.acked.recordsPerSec)} | ${num(s.acked.mibPerSec, 1)} | ` +
        `${num(s.delivered?.recordsPerSec)} | ${num(s.delivered?.mibPerSec, 1)} | ` +
        `${num(s.cpu.perGiB.sluice, 1)} | ${num(s.cpu.perGiB.redis, 1)} | ${num(s.memory.sluicePeakRssMiB)} | ` +
        `${triple(s.ingestLatencyMs)} | ${triple(s.endToEnd)} | ` +
        `${s.loadAverage.before[0]} → ${s.loadAverage.after[0]} |`,
    );
  }
  for (const f of result.failed) out.push(`| ${f.name} | failed: ${f.error.split('\n')[0]} |`);
  for (const u of result.unavailable) out.push(`| ${u.name} | ${u.reason} |`);
  out.push('');
  out.push(
    'MiB are record bytes (base64 decoded, without newlines); CPU-s/GiB is CPU-seconds per GiB of acked record bytes over load start → all delivered (ingest-only: → last answer).',
  );
  out.push(...formatsTable(result.scenarios));
  out.push('');
  out.push('Notes per scenario:');
  for (const s of result.scenarios) out.push(...notes(s));
  for (const f of result.failed) {
    out.push('', `**${f.name} failed:**`, '', '```text', f.error, '```');
  }
  for (const s of result.scenarios) {
    if (s.daemonLogTail)
      out.push('', `Daemon log tail of ${s.name} (it had problems):`, '', '```text', s.daemonLogTail, '```');
  }
  return out.join('\n');
}

/**
 * Issue 4's figures: per output (format × compression), MiB/s delivered and CPU-seconds per GiB,
 * from the open-loop delivery scenarios.
 */
function formatsTable(scenarios: readonly ScenarioResult[]): string[] {
  const rows = scenarios.filter((s) => s.delivered && s.load.mode === 'open-loop');
  if (rows.length === 0) return [];
  const out = [
    '',
    'By output format (open-loop delivery scenarios):',
    '',
    '| output | scenario | delivered MiB/s | delivered rec/s | Sluice CPU-s/GiB | Redis CPU-s/GiB | s3rver CPU-s/GiB | object MiB per GiB | drain s |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const s of rows) {
    const d = s.delivered as NonNullable<ScenarioResult['delivered']>;
    const gib = s.acked.recordBytes / 1024 ** 3;
    out.push(
      `| ${outputLabel(s)} | ${s.name} | ${num(d.mibPerSec, 1)} | ${num(d.recordsPerSec)} | ` +
        `${num(s.cpu.perGiB.sluice, 1)} | ${num(s.cpu.perGiB.redis, 1)} | ${num(s.cpu.perGiB.s3rver, 1)} | ` +
        `${gib > 0 ? num(d.objectMiB / gib) : DASH} | ${num(d.drainSeconds, 1)} |`,
    );
  }
  return out;
}

function notes(s: ScenarioResult): string[] {
  const cores = (seconds: number | undefined): string =>
    seconds === undefined ? DASH : `${num(seconds, 1)} s (${num(seconds / s.cpu.windowSeconds, 2)} cores)`;
  const lines = [
    `- **${s.name}**: ${s.description}. ${num(s.acked.records)} records acked ` +
      `(${s.load.requests.ok} requests, ${s.load.averageRecordBytes} B/record) in ${s.load.elapsedSeconds} s` +
      (s.acked.requestMiBPerSec === undefined
        ? '.'
        : `; ${num(s.acked.requestsPerSec, 1)} requests/s, ${num(s.acked.requestMiBPerSec, 1)} MiB/s of request bodies on the wire.`) +
      (s.acked.refusedRecords ? ` ${num(s.acked.refusedRecords)} records refused.` : '') +
      (s.load.rateSource ? ` Offered rate: ${s.load.rateSource}.` : ''),
    `  CPU over ${s.cpu.windowSeconds} s: Sluice ${cores(s.cpu.seconds.sluice)}, Redis ${cores(s.cpu.seconds.redis)}, ` +
      `s3rver ${cores(s.cpu.seconds.s3rver)}, loadgen ${cores(s.cpu.seconds.loadgen)}; ` +
      `other processes on the machine ${cores(s.cpu.seconds.others)}. ` +
      (s.memory.sluiceProcesses === undefined
        ? ''
        : `Sluice peak RSS: ${num(s.memory.sluicePeakRssMiB)} MiB summed over its ${s.memory.sluiceProcesses} processes, ` +
          `the largest ${num(s.memory.sluiceMaxProcessPeakRssMiB)} MiB. `) +
      `Redis peak RSS ${num(s.memory.redisPeakRssMiB)} MiB. Ingest service time p50/p99 ` +
      `${num(s.ingestServiceMs.p50, 1)}/${num(s.ingestServiceMs.p99, 1)} ms.`,
  ];
  const d = s.delivered;
  if (d) {
    lines.push(
      `  Delivered ${num(d.s3Records)} records in ${d.objects} objects (${d.objectMiB} MiB, ratio ${d.compressionRatio}); ` +
        `${num(d.duringLoadRecordsPerSec)} rec/s delivered while the load ran; drained ${d.drainSeconds} s after it stopped.`,
    );
  }
  if (s.endToEnd) {
    lines.push(
      `  End to end: ${s.endToEnd.seen} of ${s.endToEnd.acked} acked requests seen ` +
        `(${s.endToEnd.incompleteReads} reads of objects s3rver was still writing); ${s.endToEnd.method}.`,
    );
  }
  if (s.problems.length > 0) lines.push(`  **Problems:** ${s.problems.join('; ')}.`);
  return lines;
}

/** Ratios now / before for the scenarios both results have. */
export function compareReport(now: BenchResult, before: BenchResult, beforeName: string): string {
  const out = [
    `## Compared with ${beforeName} (${before.startedAt}); ratio = now / before`,
    '',
    '| scenario | metric | before | now | ratio |',
    '|---|---|--:|--:|--:|',
  ];
  const metrics: Array<[string, (s: ScenarioResult) => number | undefined, boolean]> = [
    ['acked rec/s', (s) => s.acked.recordsPerSec, true],
    ['delivered rec/s', (s) => s.delivered?.recordsPerSec, true],
    ['Sluice CPU-s/GiB', (s) => s.cpu.perGiB.sluice, false],
    ['Redis CPU-s/GiB', (s) => s.cpu.perGiB.redis, false],
    ['Sluice peak RSS MiB', (s) => s.memory.sluicePeakRssMiB, false],
    ['ingest p99 ms', (s) => (s.ingestLatencyMs.count > 0 ? s.ingestLatencyMs.p99 : undefined), false],
    ['e2e p99 ms', (s) => (s.endToEnd?.count ? s.endToEnd.p99 : undefined), false],
  ];
  for (const s of now.scenarios) {
    const old = before.scenarios.find((candidate) => candidate.name === s.name);
    if (!old) {
      out.push(`| ${s.name} | (not in ${beforeName}) | | | |`);
      continue;
    }
    for (const [label, get, higherIsBetter] of metrics) {
      const a = get(old);
      const b = get(s);
      if (a === undefined || b === undefined) continue;
      const ratio = a === 0 ? undefined : b / a;
      const better = ratio === undefined ? '' : ratio > 1 === higherIsBetter ? ' better' : ' worse';
      const flag = ratio !== undefined && Math.abs(ratio - 1) >= 0.1 ? better : '';
      out.push(
        `| ${s.name} | ${label} | ${num(a, 1)} | ${num(b, 1)} | ${ratio === undefined ? DASH : num(ratio, 2)}${flag} |`,
      );
    }
  }
  const apiBefore = before.options.api ?? 'ndjson';
  const apiNow = now.options.api ?? 'ndjson';
  if (apiBefore !== apiNow || (before.options.auth ?? 'none') !== (now.options.auth ?? 'none')) {
    out.push('');
    out.push(
      `**Different load:** before ${apiBefore} API with auth ${before.options.auth ?? 'none'}, now ${apiNow} with auth ${now.options.auth ?? 'none'}; the ratios mix the API's cost into the pipeline's.`,
    );
  }
  out.push('');
  out.push(
    `Load average (1 min) at start: before ${before.machine.loadAverageStart[0]}, now ${now.machine.loadAverageStart[0]}. ` +
      'Ratios within ±10-20% are noise on a shared 2-core machine.',
  );
  return out.join('\n');
}
