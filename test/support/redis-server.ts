// A private redis-server for tests that crash, restart, pause or replicate Redis: its own port
// and data directory, never the shared development Redis on 6379. It can be SIGKILLed and
// started again on the same directory (so it reloads its AOF), stopped mid-flight (SIGSTOP) and
// made a replica of another.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { trackChild } from './process.js';

export interface RedisServerOptions {
  /** AOF fsync policy; `off` runs without persistence. Default everysec. */
  appendfsync?: 'always' | 'everysec' | 'off';
  /** `host:port` of a primary to replicate. */
  replicaOf?: string;
  requirePass?: string;
  port?: number;
}

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:PORT, with the password when there is one. */
  url: string;
  dir: string;
  pid(): number | undefined;
  running(): boolean;
  /** SIGKILL: no shutdown, no final AOF write, as a crash. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts again on the same port and directory (reloading the AOF); resolves when ready. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: the process stays, but neither answers nor replicates meanwhile. */
  pause(): void;
  resume(): void;
  /** Kills the process and removes its directory. Safe twice. */
  destroy(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'sluice-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--protected-mode',
    'no',
    '--logfile',
    '',
    // A replica syncs at once instead of after Redis's default 5 s of waiting for more replicas.
    '--repl-diskless-sync-delay',
    '0',
  ];
  const fsync = options.appendfsync ?? 'everysec';
  if (fsync === 'off') args.push('--appendonly', 'no');
  else args.push('--appendonly', 'yes', '--appendfsync', fsync);
  if (options.replicaOf) args.push('--replicaof', ...options.replicaOf.split(':'));
  if (options.requirePass)
    args.push('--requirepass', options.requirePass, '--masterauth', options.requirePass);

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let destroyed: Promise<void> | undefined;

  const launch = async (): Promise<void> => {
    ({ child, exited } = await spawnRedis(args, port, START_TIMEOUT_MS));
  };

  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  const kill = async (): Promise<void> => {
    if (running()) {
      child?.kill('SIGCONT'); // a stopped process dies of SIGKILL too, but say it plainly
      child?.kill('SIGKILL');
    }
    await exited;
  };

  await launch();
  const auth = options.requirePass ? `:${encodeURIComponent(options.requirePass)}@` : '';
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    dir,
    pid: () => child?.pid,
    running,
    kill,
    async restart() {
      await kill();
      await launch();
    },
    pause() {
      if (running()) child?.kill('SIGSTOP');
    },
    resume() {
      if (running()) child?.kill('SIGCONT');
    },
    destroy() {
      destroyed ??= (async () => {
        await kill();
        await rm(dir, { recursive: true, force: true });
      })();
      return destroyed;
    },
  };
}

/**
 * Spawns redis-server with `args` and resolves once it accepts connections, its output drained
 * from then on; on failure (exit, timeout) rejects with the tail of its log. Also used by the
 * benchmark's Redis (bench/redis-server.ts).
 */
export async function spawnRedis(
  args: readonly string[],
  port: number,
  timeoutMs: number,
): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(proc);
  const exited = new Promise<void>((resolve) => proc.once('close', () => resolve()));
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port}: ${error.message}\n${log.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        proc.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null): void => fail(new Error(`exited with code ${code}`));
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', onExit);
    proc.once('error', fail);
  });
  // Keep draining its log so a chatty Redis never blocks on a full pipe.
  proc.stdout?.removeAllListeners('data');
  proc.stderr?.removeAllListeners('data');
  proc.stdout?.resume();
  proc.stderr?.resume();
  return { child: proc, exited };
}
