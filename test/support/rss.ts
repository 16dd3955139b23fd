// Memory of a process as Linux reports it in /proc/<pid>/status: the resident set now (VmRSS)
// and its high-water mark since the process started (VmHWM), so a peak between two samples is
// not missed. Tests use it to show that memory stays bounded under load and bad input.
import { readdir, readFile } from 'node:fs/promises';

export interface Rss {
  rssMiB: number;
  peakMiB: number;
}

export async function readRss(pid: number): Promise<Rss> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** The pids of a process and all its descendants (a daemon runs a cluster of processes). */
export async function processTree(pid: number): Promise<number[]> {
  const pids = [pid];
  for (let i = 0; i < pids.length; i += 1) {
    const tasks = await readdir(`/proc/${pids[i]}/task`).catch(() => [] as string[]);
    for (const task of tasks) {
      const children = await readFile(`/proc/${pids[i]}/task/${task}/children`, 'utf8').catch(() => '');
      for (const child of children.split(' ').filter(Boolean)) pids.push(Number(child));
    }
  }
  return pids;
}

/** RSS of a process and its descendants: summed now, and the largest single peak. */
export async function treeRss(
  pid: number,
): Promise<{ processes: number; rssMiB: number; peakMiB: number; peaksMiB: number[] }> {
  const all = await Promise.all(
    (await processTree(pid)).map((one) => readRss(one).catch(() => ({ rssMiB: 0, peakMiB: 0 }))),
  );
  return {
    processes: all.length,
    rssMiB: all.reduce((sum, one) => sum + one.rssMiB, 0),
    peakMiB: Math.max(...all.map((one) => one.peakMiB)),
    peaksMiB: all.map((one) => Math.round(one.peakMiB)),
  };
}

/** Samples the RSS of a process tree every `intervalMs` until stopped; keeps every sample. */
export class RssSampler {
  readonly samples: { atMs: number; rssMiB: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    const started = Date.now();
    const sample = (): void => {
      treeRss(this.pid).then(
        ({ rssMiB }) => {
          this.samples.push({ atMs: Date.now() - started, rssMiB });
          this.peak = Math.max(this.peak, rssMiB);
        },
        () => undefined, // the process may be gone; the samples so far stand
      );
    };
    sample();
    this.timer = setInterval(sample, this.intervalMs);
    return this;
  }

  /** `peakMiB`: the highest sampled total of the tree. */
  async stop(): Promise<{ peakMiB: number; lastMiB: number; samples: number }> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return {
      peakMiB: this.peak,
      lastMiB: this.samples.at(-1)?.rssMiB ?? Number.NaN,
      samples: this.samples.length,
    };
  }

  /** Highest RSS sampled between two moments (ms since start). */
  maxBetween(fromMs: number, toMs: number): number {
    let max = 0;
    for (const s of this.samples) if (s.atMs >= fromMs && s.atMs <= toMs) max = Math.max(max, s.rssMiB);
    return max;
  }
}
