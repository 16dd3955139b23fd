// The chaos suite, short (the full one is `npm run chaos`): a few thousand records through
// Redis with `appendfsync always`, while daemon processes of every role and Redis are
// SIGKILLed, S3 fails and transforms stall. Every acked record must land exactly once, every
// refused one not at all. CHAOS_SEED repeats a run's fault schedule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seedFrom } from '../support/random.js';
import { formatReport, runChaos } from './chaos.js';

describe('chaos (short)', () => {
  it('delivers every acked record exactly once through kills, Redis restarts, S3 faults and stalls', async () => {
    const report = await runChaos({
      records: 6000,
      fsync: 'always',
      seed: seedFrom(process.env.CHAOS_SEED),
      nodes: { ingest: 2, worker: 1, cutter: 1 },
      producers: 2,
      ratePerSecond: 400,
      recordsPerRequest: [5, 50],
      pace: {
        processEveryMs: [1000, 2500],
        s3EveryMs: [1000, 3000],
        s3ForMs: [1000, 3000],
        stallEveryMs: [2000, 4000],
        stallForMs: [1000, 2500],
      },
      drainTimeoutMs: 60_000,
    });
    process.stdout.write(`${formatReport(report).replace(/^/gm, '# ')}\n`);
    assert.ok(report.passed, formatReport(report));
    for (const kind of ['kill ingest', 'kill worker', 'kill cutter', 'restart redis']) {
      assert.ok((report.faults[kind] ?? 0) >= 1, `the run met "${kind}"`);
    }
    assert.ok(report.verdict.acked >= report.options.records * 0.9, 'most records were acked');
  });
});
