// CPU time and peak memory of other processes, read from /proc (Linux only), and the machine's
// description. /proc/<pid>/stat counts every thread of the process (libuv pool, GC helpers,
// worker threads, Redis's bio/io threads); cutime/cstime add children the process has reaped,
// which for Redis are its AOF-rewrite forks.
//
// A process is measured with its whole tree: the daemon may run as a node:cluster supervisor with
// worker processes, Redis forks for AOF rewrites. Summing utime+stime+cutime+cstime over every
// live process of the tree is consistent between two snapshots: a child that exits in between
// moves its total into its parent's cutime/cstime when reaped, and one born in between counts
// in full.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { round } from './stats.js';

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc's time fields (`getconf CLK_TCK`, 100 on Linux x86). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system, own threads plus reaped children) used so far by `pid`. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 of proc(5) (utime, stime, cutime, cstime) are 11-14 here, counting from field 3.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  return ticks / clockTicks();
}

/** Peak resident set size of `pid` in MiB (VmHWM), or undefined if the process is gone. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/** Parent pid of every process on the machine. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      out.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** `root` and all its live descendants. */
export function processTree(root: number, ppids: Map<number, number> = parents()): number[] {
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [pid, ppid] of ppids) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** CPU seconds of each named process tree, taken together so the snapshots line up in time. */
export function snapshot(pids: Record<string, number | undefined>): Record<string, number> {
  const ppids = parents();
  const out: Record<string, number> = {};
  for (const [name, root] of Object.entries(pids)) {
    if (root === undefined) continue;
    try {
      let total = cpuSeconds(root);
      for (const pid of processTree(root, ppids).slice(1)) {
        try {
          total += cpuSeconds(pid);
        } catch {
          // Ended meanwhile: its CPU is in the parent's cutime once reaped.
        }
      }
      out[name] = total;
    } catch {
      // The root has exited; leaving it out is better than reporting 0 CPU.
    }
  }
  return out;
}

/**
 * Peak RSS of a process tree: the sum of each live process's VmHWM (an upper bound on the
 * tree's simultaneous peak, counting the pages processes share, such as the node binary, once
 * per process), the largest single one, and how many processes.
 */
export function treePeakRss(root: number): { sumMiB?: number; maxMiB?: number; processes: number } {
  const peaks = processTree(root)
    .map((pid) => peakRssMiB(pid))
    .filter((value): value is number => value !== undefined);
  if (peaks.length === 0) return { processes: 0 };
  return {
    sumMiB: peaks.reduce((sum, value) => sum + value, 0),
    maxMiB: Math.max(...peaks),
    processes: peaks.length,
  };
}

export function loadAverage(): [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return [round(one), round(five), round(fifteen)];
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  nodePath: string;
  redis: string;
  clockTicks: number;
}

export function machineInfo(): MachineInfo {
  let redis = 'unknown';
  try {
    redis = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? redis;
  } catch {
    // Reported as unknown; starting it will fail with a clearer message.
  }
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 1024 ** 3),
    node: process.version,
    nodePath: process.execPath,
    redis,
    clockTicks: clockTicks(),
  };
}

/** Pids of this process's children whose command line matches `pattern` (e.g. the s3rver child). */
export function childPids(pattern: RegExp): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (pattern.test(cmdline)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/**
 * CPU seconds all cores spent busy since boot (/proc/stat: everything but idle and iowait).
 * The delta over a scenario, minus the benchmark's own processes, is what other work on the
 * machine took meanwhile: the figures are only comparable when that is small.
 */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const busy = ticks.slice(0, 8).reduce((sum, value, i) => (i === 3 || i === 4 ? sum : sum + value), 0);
  return busy / clockTicks();
}
