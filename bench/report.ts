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
  return s.load.mode === 'open-loop' ? 'open loop' : `${num(s.load.offeredRecordsPerSec)} rec/s`;
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
      `${result.options.recordsPerRequest} records per request.`,
  );
  out.push('');
  out.push(
    '| scenario | load | acked rec/s | acked MiB/s | delivered rec/s | delivered MiB/s | Sluice CPU-s/GiB | Redis CPU-s/GiB | Sluice peak RSS MiB | ingest p50/p99/max ms | e2e p50/p99/max ms | load avg 1 min before → after |',
  );
  out.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const s of result.scenarios) {
    out.push(
      `| ${s.name} | ${loadLabel(s)} | ${num(s.acked.recordsPerSec)} | ${num(s.acked.mibPerSec, 1)} | ` +
        `${num(s.delivered?.recordsPerSec)} | ${num(s.delivered?.mibPerSec, 1)} | ` +
        `${num(s.cpu.perGiB.sluice, 1)} | ${num(s.cpu.perGiB.redis, 1)} | ${num(s.memory.sluicePeakRssMiB)} | ` +
        `${triple(s.ingestLatencyMs)} | ${triple(s.endToEnd)} | ` +
        `${s.loadAverage.before[0]} → ${s.loadAverage.after[0]} |`,
    );
  }
  for (const f of result.failed) out.push(`| ${f.name} | failed: ${f.error.split('\n')[0]} |`);
  for (const u of result.unavailable) out.push(`| ${u.name} | ${u.reason} |`);
  out.push('');
  out.push('Notes per scenario:');
  for (const s of result.scenarios) out.push(...notes(s));
  return out.join('\n');
}

function notes(s: ScenarioResult): string[] {
  const cores = (seconds: number | undefined): string =>
    seconds === undefined ? DASH : `${num(seconds, 1)} s (${num(seconds / s.cpu.windowSeconds, 2)} cores)`;
  const lines = [
    `- **${s.name}**: ${s.description}. ${num(s.acked.records)} records acked ` +
      `(${s.load.requests.ok} requests, ${s.load.averageRecordBytes} B/record) in ${s.load.elapsedSeconds} s.` +
      (s.load.rateSource ? ` Offered rate: ${s.load.rateSource}.` : ''),
    `  CPU over ${s.cpu.windowSeconds} s: Sluice ${cores(s.cpu.seconds.sluice)}, Redis ${cores(s.cpu.seconds.redis)}, ` +
      `s3rver ${cores(s.cpu.seconds.s3rver)}, loadgen ${cores(s.cpu.seconds.loadgen)}; ` +
      `other processes on the machine ${cores(s.cpu.seconds.others)}. ` +
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
  out.push('');
  out.push(
    `Load average (1 min) at start: before ${before.machine.loadAverageStart[0]}, now ${now.machine.loadAverageStart[0]}. ` +
      'Ratios within ±10-20% are noise on a shared 2-core machine.',
  );
  return out.join('\n');
}
