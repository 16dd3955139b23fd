// A private redis-server for one scenario: a fresh process and data directory, so scenarios do
// not inherit each other's memory, AOF size or background rewrites, and the shared development
// Redis is never loaded. Persistence is what issue 5 benchmarks: AOF with fsync every second, as
// deploy/redis.conf sets it up for users.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnRedis } from '../test/support/redis-server.js';

export interface BenchRedis {
  url: string;
  pid: number;
  /** SIGTERM (Redis flushes its AOF and exits), SIGKILL after 10 s. Safe to call twice. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

/** The Redis configuration Sluice ships for users: the benchmark runs Redis as they would. */
const DEPLOY_REDIS_CONF = fileURLToPath(new URL('../../deploy/redis.conf', import.meta.url));

/**
 * Starts Redis with deploy/redis.conf (AOF everysec, its rewrite and snapshot settings) and the
 * overrides a private bench server needs; `extraArgs` (--redis-args) come last and win, for
 * trying other Redis settings against the shipped ones.
 */
export async function startRedis(
  port: number,
  dir: string,
  extraArgs: readonly string[] = [],
): Promise<BenchRedis> {
  const { child, exited } = await spawnRedis(
    [
      DEPLOY_REDIS_CONF,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      // A bench-only server: no protected-mode surprises, its log goes to our pipe, and no
      // memory cap (a long open-loop ingest-only run holds gigabytes; this is not a capacity test).
      '--protected-mode',
      'no',
      '--logfile',
      '',
      '--maxmemory',
      '0',
      ...extraArgs,
    ],
    port,
    START_TIMEOUT_MS,
  );

  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid as number,
    stop() {
      stopping ??= stopChild(child, exited);
      return stopping;
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
