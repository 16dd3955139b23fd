// Transform threads, one piscina pool per heap limit (piscina sets resource limits per
// pool). Piscina was chosen over BullMQ's sandboxed processors because an invocation is a
// part of a batch job, not a job of its own, and over a hand-written pool because it already
// ends a thread whose task is aborted and replaces threads that crash, run out of heap or exit.
import { Piscina } from 'piscina';
import type { InvokeReply, InvokeTask, ProbeReply, ProbeTask } from './protocol.js';

const threadFile = new URL('./thread.js', import.meta.url).href;

export class TransformPools {
  private readonly pools = new Map<number, Piscina>();
  private closed = false;

  constructor(private readonly threads: number) {}

  invoke(task: InvokeTask, memoryLimitMiB: number, signal: AbortSignal): Promise<InvokeReply> {
    return this.pool(memoryLimitMiB).run(task, {
      signal,
      transferList: [task.records.buffer as ArrayBuffer],
    });
  }

  probe(task: ProbeTask, memoryLimitMiB: number): Promise<ProbeReply> {
    return this.pool(memoryLimitMiB).run(task, { signal: AbortSignal.timeout(30_000) });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.pools.values()].map((pool) => pool.destroy()));
  }

  private pool(memoryLimitMiB: number): Piscina {
    let pool = this.pools.get(memoryLimitMiB);
    if (!pool) {
      pool = new Piscina({
        filename: threadFile,
        minThreads: 0,
        maxThreads: this.threads,
        idleTimeout: 60_000,
        resourceLimits: { maxOldGenerationSizeMb: memoryLimitMiB },
      });
      this.pools.set(memoryLimitMiB, pool);
    }
    return pool;
  }
}
