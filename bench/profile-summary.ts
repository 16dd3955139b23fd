// Reads the V8 CPU profiles `--cpu-prof` wrote and lists where the daemon's main thread spent
// its time: the functions with the most self time, and the same grouped by package or source
// file, which is what tells "our code" from "ioredis", "zlib" or "GC". Worker threads and
// libuv's pool are not in these profiles (compare with the process CPU in the report).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileEntry {
  name: string;
  selfPercent: number;
}

export interface ProfileSummary {
  file: string;
  seconds: number;
  topFunctions: ProfileEntry[];
  byModule: ProfileEntry[];
}

function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return url;
  const own = /\/dist\/(src\/.*)$/.exec(url);
  return own ? (own[1] as string) : url;
}

function top(hits: Map<string, number>, total: number, count: number): ProfileEntry[] {
  return [...hits]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, value]) => ({ name, selfPercent: Math.round((1000 * value) / total) / 10 }));
}

export async function summarizeProfile(file: string, count = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '' : ` ${moduleOf(url, functionName)}:${lineNumber + 1}`;
    const fn = `${functionName || '(anonymous)'}${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    const module = moduleOf(url, functionName);
    byModule.set(module, (byModule.get(module) ?? 0) + hits);
  }
  return {
    file,
    seconds: (profile.endTime - profile.startTime) / 1e6,
    topFunctions: top(byFunction, Math.max(1, total), count),
    byModule: top(byModule, Math.max(1, total), count),
  };
}

/** Summaries of every .cpuprofile in `dir` (one per process that exited there). */
export async function summarizeProfiles(dir: string): Promise<ProfileSummary[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  return Promise.all(files.map((name) => summarizeProfile(join(dir, name))));
}

export function profileMarkdown(scenario: string, summary: ProfileSummary): string {
  const rows = (entries: ProfileEntry[]): string[] =>
    entries.map((entry) => `| ${entry.selfPercent}% | \`${entry.name.replaceAll('|', '\\|')}\` |`);
  return [
    `### Profile of the daemon's main thread, ${scenario} (${summary.seconds.toFixed(1)} s, ${summary.file})`,
    '',
    '| self | function |',
    '|--:|---|',
    ...rows(summary.topFunctions),
    '',
    '| self | package or file |',
    '|--:|---|',
    ...rows(summary.byModule),
  ].join('\n');
}
