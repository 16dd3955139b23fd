// What the chaos harness runs against: a private redis-server with AOF (everysec or always),
// s3rver behind the fault-injecting proxy, and Sluice as separate processes per role (ingest,
// worker, cutter: `--roles`), each of which can be SIGKILLed and started again. Nothing here
// touches the shared development Redis.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { freePort } from '../support/ports.js';
import { type DaemonProcess, startDaemon, waitFor } from '../support/process.js';
import type { Random } from '../support/random.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { type S3TestServer, startS3Server } from '../support/s3server.js';

export type Role = 'ingest' | 'worker' | 'cutter';
export type Fsync = 'everysec' | 'always';

export const STREAM = 'chaos';
export const BUCKET = 'landing';
export const KEY_PREFIX = 'chaos';

// Compiled to dist/test/chaos/: the fixture is read from the source tree.
const STALL_TRANSFORM = fileURLToPath(
  new URL('../../../test/fixtures/transforms/stalls.mjs', import.meta.url),
);

export interface Node {
  name: string;
  role: Role;
  ingestPort: number;
  adminPort: number;
  configFile: string;
  process?: DaemonProcess;
  /** Starts of this node so far (its logs are kept per start). */
  starts: number;
}

export interface EnvironmentOptions {
  fsync: Fsync;
  nodes: Record<Role, number>;
}

function nodeConfig(redisUrl: string, s3Endpoint: string, node: Node): string {
  return `
redis: { url: "${redisUrl}", keyPrefix: ${KEY_PREFIX} }
processes: 1
ingest: { port: ${node.ingestPort} }
admin: { port: ${node.adminPort} }
workers: { concurrency: 4, lockSeconds: 5 }
shutdown: { timeoutSeconds: 5 }
auth: { mode: none }
streams:
  ${STREAM}:
    buffering: { sizeMiB: 1, intervalSeconds: 1 }
    maxBacklogMiB: 16
    compression: gzip
    retry: { initialBackoffSeconds: 0.2, maxBackoffSeconds: 2 }
    processing:
      - { type: transform, module: "${STALL_TRANSFORM}", timeoutSeconds: 2, retries: 3 }
    destination:
      type: s3
      bucket: ${BUCKET}
      prefix: "data/"
      errorOutputPrefix: "errors/"
      endpoint: "${s3Endpoint}"
      forcePathStyle: true
      requestTimeoutSeconds: 5
      credentials: { accessKeyId: S3RVER, secretAccessKey: S3RVER }
`;
}

export class ChaosEnvironment {
  readonly nodes: Node[] = [];

  private constructor(
    readonly dir: string,
    readonly redis: RedisServer,
    readonly s3: S3TestServer,
    readonly proxy: FaultProxy,
    /** The file whose presence makes the transform stall (test/fixtures/transforms/stalls.mjs). */
    readonly stallFile: string,
  ) {}

  static async start(options: EnvironmentOptions, random: Random): Promise<ChaosEnvironment> {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-chaos-'));
    await mkdir(join(dir, 'logs'));
    const redis = await startRedisServer({ appendfsync: options.fsync });
    const s3 = await startS3Server({ buckets: [BUCKET] });
    const proxy = await startFaultProxy(s3.endpoint, () => random.next());
    const env = new ChaosEnvironment(dir, redis, s3, proxy, join(dir, 'stall'));
    for (const role of ['ingest', 'worker', 'cutter'] as const) {
      for (let i = 0; i < options.nodes[role]; i += 1) {
        const node: Node = {
          name: `${role}-${i + 1}`,
          role,
          ingestPort: await freePort(),
          adminPort: await freePort(),
          configFile: join(dir, `${role}-${i + 1}.yaml`),
          starts: 0,
        };
        await writeFile(node.configFile, nodeConfig(redis.url, proxy.endpoint, node));
        env.nodes.push(node);
      }
    }
    await Promise.all(env.nodes.map((node) => env.startNode(node)));
    return env;
  }

  /** Ingest ports, down nodes included: a producer that finds one down tries another. */
  ingestPorts(): number[] {
    return this.nodes.filter((n) => n.role === 'ingest').map((n) => n.ingestPort);
  }

  async startNode(node: Node): Promise<void> {
    node.starts += 1;
    node.process = startDaemon(['start', '--config', node.configFile, '--roles', node.role], {
      env: { SLUICE_CHAOS_STALL_FILE: this.stallFile, SLUICE_LOG_LEVEL: 'info' },
    });
    await node.process.waitForOutput(/Sluice started/, 60_000);
  }

  /** SIGKILL: no shutdown at all. Keeps the node's log. */
  async killNode(node: Node): Promise<void> {
    const running = node.process;
    if (!running) return;
    node.process = undefined;
    running.kill('SIGKILL');
    await running.waitForExit(30_000).catch(() => undefined);
    await this.saveLog(node, running);
  }

  private async saveLog(node: Node, process: DaemonProcess): Promise<void> {
    await writeFile(join(this.dir, 'logs', `${node.name}.${node.starts}.log`), process.output());
  }

  /** Records not yet delivered, and batches open, as Redis has them. */
  async backlog(): Promise<{ backlogBytes: number; openBatches: number; pendingRecords: number }> {
    const redis = new Redis(this.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      const base = `${KEY_PREFIX}:{${STREAM}}`;
      const [backlog, pending] = await redis.hmget(`${base}:meta`, 'backlogBytes', 'pendingRecords');
      return {
        backlogBytes: Number(backlog ?? 0),
        pendingRecords: Number(pending ?? 0),
        openBatches: await redis.zcard(`${base}:open`),
      };
    } finally {
      redis.disconnect();
    }
  }

  /** Waits until Redis holds nothing undelivered (every batch delivered, nothing pending). */
  async drained(timeoutMs: number): Promise<void> {
    await waitFor(
      async () => {
        const state = await this.backlog();
        return state.backlogBytes === 0 && state.openBatches === 0 && state.pendingRecords === 0;
      },
      { timeoutMs, intervalMs: 500, what: 'every record to be delivered (backlog 0 in Redis)' },
    );
  }

  /** Stops everything; keeps the directory (configs, logs, Redis AOF) when `keep`. */
  async stop(keep: boolean): Promise<void> {
    for (const node of this.nodes) {
      const running = node.process;
      if (!running) continue;
      node.process = undefined;
      running.kill('SIGTERM');
      await running.waitForExit(30_000).catch(() => running.kill('SIGKILL'));
      await this.saveLog(node, running);
    }
    await this.proxy.close();
    await this.s3.stop();
    if (keep) {
      await this.redis.kill();
    } else {
      await this.redis.destroy();
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}
