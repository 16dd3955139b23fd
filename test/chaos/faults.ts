// The chaos harness's fault schedule: three timelines, each drawing its moments and choices from
// the run's seeded random source, that run while the producers put records.
//   processes   SIGKILL a daemon process (ingest, worker or cutter role) and start it again, or
//               SIGKILL Redis and start it again on the same AOF. The first four events cover
//               every kind once, so even a short run meets each.
//   S3          the fault proxy fails a share of requests (500, 503 SlowDown, resets, stalls)
//   transforms  the transform stalls: shorter than its timeout (slow) or longer (it is ended
//               and retried)
// stop() ends the timelines and heals everything: every node up, Redis up, S3 and transforms
// healthy. Every wait is bounded. Each timeline draws from its own source derived from the
// seed, so its sequence of faults, pauses and choices repeats with the seed whatever the load.
// (Which records are in flight at a given fault does not: that is timing.)
import { rm, writeFile } from 'node:fs/promises';
import { FAULT_KINDS, type FaultKind } from '../support/fault-proxy.js';
import { derivedRandom, type Random } from '../support/random.js';
import type { ChaosEnvironment, Role } from './environment.js';

type ProcessFault = `kill ${Role}` | 'restart redis';
const PROCESS_FAULTS: readonly ProcessFault[] = [
  'kill ingest',
  'kill worker',
  'kill cutter',
  'restart redis',
];

export interface FaultPace {
  /** Pause between two process faults, ms. */
  processEveryMs: [number, number];
  /** Pause between two S3 fault periods, and their length, ms. */
  s3EveryMs: [number, number];
  s3ForMs: [number, number];
  /** Pause between two transform stalls, and their length, ms. */
  stallEveryMs: [number, number];
  stallForMs: [number, number];
}

export const DEFAULT_PACE: FaultPace = {
  processEveryMs: [1500, 5000],
  s3EveryMs: [2000, 6000],
  s3ForMs: [1000, 5000],
  stallEveryMs: [3000, 8000],
  stallForMs: [1000, 4000],
};

export class FaultScheduler {
  readonly counts: Record<string, number> = {};
  /** When Redis was SIGKILLed (ms since epoch): the start of each possible loss window. */
  readonly redisKills: number[] = [];
  private running = false;
  private timelines: Promise<void>[] = [];
  private wake: (() => void)[] = [];

  private readonly sources: Record<'processes' | 's3' | 'stalls', Random>;

  constructor(
    private readonly env: ChaosEnvironment,
    seed: Random,
    private readonly pace: FaultPace,
    private readonly log: (line: string) => void,
  ) {
    this.sources = { processes: derivedRandom(seed), s3: derivedRandom(seed), stalls: derivedRandom(seed) };
  }

  start(): void {
    this.running = true;
    this.timelines = [this.processes(), this.s3(), this.stalls()];
  }

  /** Ends the timelines and heals everything. */
  async stop(): Promise<void> {
    this.running = false;
    for (const wake of this.wake.splice(0)) wake();
    await Promise.all(this.timelines);
    this.env.proxy.setFaults(undefined);
    await rm(this.env.stallFile, { force: true });
    if (!this.env.redis.running()) await this.env.redis.restart();
    for (const node of this.env.nodes) if (!node.process) await this.env.startNode(node);
  }

  /** S3 faults by kind, as the proxy counted them. */
  s3Counts(): Record<FaultKind, number> {
    return this.env.proxy.injected();
  }

  private count(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  /** Sleeps a time drawn from `range`, cut short by stop(). */
  private pause(random: Random, [low, high]: [number, number]): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, random.int(low, high));
      this.wake.push(done);
    });
  }

  private async processes(): Promise<void> {
    const random = this.sources.processes;
    const first = [...PROCESS_FAULTS].sort(() => random.next() - 0.5);
    while (this.running) {
      await this.pause(random, this.pace.processEveryMs);
      if (!this.running) break;
      const fault = first.shift() ?? random.pick(PROCESS_FAULTS);
      try {
        await this.processFault(random, fault);
      } catch (error) {
        // A node that does not come back is itself a finding: say so, and carry on.
        this.log(`${fault} failed: ${(error as Error).message.split('\n')[0]}`);
        this.count('fault that failed');
      }
    }
  }

  private async processFault(random: Random, fault: ProcessFault): Promise<void> {
    const downMs = random.int(200, 2000);
    if (fault === 'restart redis') {
      this.log(`redis: SIGKILL, back in ${downMs} ms`);
      this.redisKills.push(Date.now());
      await this.env.redis.kill();
      this.count(fault);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await this.env.redis.restart();
      return;
    }
    const role = fault.slice('kill '.length) as Role;
    const node = random.pick(this.env.nodes.filter((n) => n.role === role && n.process));
    this.log(`${node.name}: SIGKILL, back in ${downMs} ms`);
    await this.env.killNode(node);
    this.count(fault);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.env.startNode(node);
  }

  private async s3(): Promise<void> {
    const random = this.sources.s3;
    while (this.running) {
      await this.pause(random, this.pace.s3EveryMs);
      if (!this.running) break;
      const kinds = FAULT_KINDS.filter(() => random.chance(0.6));
      const chosen = kinds.length > 0 ? kinds : [random.pick(FAULT_KINDS)];
      const rate = random.int(20, 100) / 100;
      this.log(`s3: ${chosen.join('+')} on ${Math.round(rate * 100)}% of requests`);
      this.env.proxy.setFaults({ rate, kinds: chosen, stallMs: [1000, 8000] });
      this.count('s3 fault period');
      await this.pause(random, this.pace.s3ForMs);
      this.env.proxy.setFaults(undefined);
    }
  }

  private async stalls(): Promise<void> {
    const random = this.sources.stalls;
    while (this.running) {
      await this.pause(random, this.pace.stallEveryMs);
      if (!this.running) break;
      // The transform's timeout is 2 s: some stalls only slow it, others get it ended and retried.
      const ms = random.int(500, 3500);
      this.log(`transform: stalls ${ms} ms per invocation`);
      await writeFile(this.env.stallFile, String(ms));
      this.count(ms > 2000 ? 'transform stall (past timeout)' : 'transform stall (slow)');
      await this.pause(random, this.pace.stallForMs);
      await rm(this.env.stallFile, { force: true });
    }
  }
}
