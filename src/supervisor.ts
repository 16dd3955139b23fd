// Runs a daemon as several processes (node:cluster), so ingest, delivery and compression use
// every core: one JavaScript thread tops out near one core. The supervisor (the primary) forks
// the processes, which share the ingest port and take batches from the same queue; it serves
// the admin port with the cluster's aggregated metrics, restarts a process that dies, and on
// SIGTERM stops them all gracefully. Nothing here touches records: a process that dies loses
// nothing, as with a single-process daemon (its batches are taken up again).
import cluster, { type Worker } from 'node:cluster';
import { Redis } from 'ioredis';
import { AggregatorRegistry } from 'prom-client';
import { AdminServer } from './admin/server.js';
import type { LoadedConfig } from './config/load.js';
import { RestartBudget } from './restart-budget.js';
import type { Logger } from './telemetry/logger.js';

/** Messages a cluster process sends its supervisor. */
export type ProcessMessage = { sluice: 'ready' } | { sluice: 'failed'; message: string };

const START_TIMEOUT_MS = 120_000;
const RESTART_DELAY_MS = 1_000;
/** A process that dies this often within a minute is not helped by restarts. */
const MAX_RESTARTS_PER_MINUTE = 5;

export class Supervisor {
  private readonly workers = new Set<Worker>();
  private readonly restarts = new RestartBudget(MAX_RESTARTS_PER_MINUTE);
  private stopping = false;
  private admin: AdminServer | undefined;
  private redis: Redis | undefined;

  constructor(
    private readonly loaded: LoadedConfig,
    private readonly processes: number,
    private readonly log: Logger,
  ) {}

  /** Resolves with the exit code once the cluster has stopped. */
  async run(): Promise<number> {
    const finished = new Promise<number>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        if (this.stopping) return;
        this.log.info('Stopping.', { signal });
        this.stop().then(() => resolve(0));
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      this.onGiveUp = () => this.stop().then(() => resolve(1));
    });
    try {
      await Promise.all(Array.from({ length: this.processes }, (_, index) => this.fork(index)));
      await this.startAdmin();
    } catch (error) {
      this.log.error('Sluice could not start.', { error });
      await this.stop();
      return 1;
    }
    this.log.info('Sluice started.', {
      processes: this.processes,
      streams: Object.keys(this.loaded.config.streams),
      ingest: `${this.loaded.config.ingest.host}:${this.loaded.config.ingest.port}`,
      admin: `${this.loaded.config.admin.host}:${this.loaded.config.admin.port}`,
    });
    return finished;
  }

  private onGiveUp: () => void = () => undefined;

  /** Forks one process and resolves once it reports ready; rejects if it fails to start. */
  private fork(index: number): Promise<void> {
    const worker = cluster.fork({ SLUICE_PROCESS_INDEX: String(index) });
    this.workers.add(worker);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const timer = setTimeout(
        () => reject(new Error(`process ${index} did not start within 120 s`)),
        START_TIMEOUT_MS,
      );
      worker.on('message', (message: ProcessMessage) => {
        if (message.sluice === 'ready') {
          started = true;
          clearTimeout(timer);
          resolve();
        } else if (message.sluice === 'failed') {
          clearTimeout(timer);
          reject(new Error(message.message));
        }
      });
      worker.on('exit', (code, signal) => {
        this.workers.delete(worker);
        clearTimeout(timer);
        if (!started) {
          reject(new Error(`process ${index} exited during start (code ${code}, signal ${signal})`));
          return;
        }
        if (!this.stopping) this.restart(index, code, signal);
      });
    });
  }

  private restart(index: number, code: number | null, signal: string | null): void {
    if (!this.restarts.allows()) {
      this.log.error('Processes keep dying; stopping the daemon.', {
        restartsInLastMinute: this.restarts.recent,
      });
      this.onGiveUp();
      return;
    }
    this.log.error('A Sluice process died; restarting it. Its batches are taken up again.', {
      index,
      code,
      signal,
    });
    setTimeout(() => {
      if (this.stopping) return;
      this.fork(index).catch((error: unknown) =>
        this.log.error('Restarting a process failed.', { index, error }),
      );
    }, RESTART_DELAY_MS).unref();
  }

  private async startAdmin(): Promise<void> {
    const aggregator = new AggregatorRegistry();
    this.redis = new Redis(this.loaded.config.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    this.redis.on('error', () => undefined); // /readyz reports it
    this.admin = new AdminServer(
      this.loaded.config.admin,
      { contentType: aggregator.contentType, text: () => aggregator.clusterMetrics() },
      this.redis,
      this.log,
    );
    await this.admin.start();
  }

  /** SIGTERM to every process (each stops gracefully), then waits for them. Safe twice. */
  private async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const timeoutMs = (this.loaded.config.shutdown.timeoutSeconds + 15) * 1000;
    const exits = [...this.workers].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    );
    const timer = setTimeout(() => {
      for (const worker of this.workers) worker.process.kill('SIGKILL');
    }, timeoutMs);
    await Promise.all(exits);
    clearTimeout(timer);
    await this.admin?.stop();
    this.redis?.disconnect();
    this.log.info('Sluice stopped; undelivered records stay in Redis for the next start.');
  }
}
