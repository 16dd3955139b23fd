// The delivery role of a process, run on a thread of its own (delivery-thread-main.ts) while the
// main thread ingests. On one event loop, every ack waited behind whatever delivery was doing
// (parsing multi-MiB pages from Redis, joining NDJSON, the S3 client, their garbage
// collection); on two, ingest answers on time and delivery is not paused by bursts of ingest.
// The thread is a Daemon with the worker role only: its own Redis connections, heap and thread
// pools. Nothing it holds is the only copy of a record, so a thread that dies loses nothing: it
// is started again, and its batches are taken up again once their job locks expire.
import { Worker } from 'node:worker_threads';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { LoadedConfig } from './config/load.js';
import { RestartBudget } from './restart-budget.js';
import type { LogFields, Logger } from './telemetry/logger.js';

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

export interface DeliveryThreadData {
  loaded: LoadedConfig;
  logFields: LogFields;
}

export type HostMessage = { type: 'stop' } | { type: 'metrics'; id: number };

export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'metrics'; id: number; metrics: MetricsJson };

const RESTART_DELAY_MS = 1_000;
/** A thread that dies this often within a minute is not helped by restarts. */
const MAX_RESTARTS_PER_MINUTE = 5;
/** A scrape does not wait longer than this for the thread's metrics. */
const METRICS_TIMEOUT_MS = 5_000;

export class DeliveryThread {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, (metrics: MetricsJson) => void>();
  private nextId = 0;
  private readonly restarts = new RestartBudget(MAX_RESTARTS_PER_MINUTE);
  private stopping = false;

  /**
   * `onGiveUp`: called when the thread keeps dying; the process should stop. `options` are for
   * tests: another thread module speaking the same messages, a shorter restart delay.
   */
  constructor(
    private readonly loaded: LoadedConfig,
    private readonly log: Logger,
    private readonly onGiveUp: (error: Error) => void,
    private readonly options: { entry?: URL; restartDelayMs?: number } = {},
  ) {}

  /** Resolves once the thread delivers; rejects with its reason if it cannot start. */
  start(): Promise<void> {
    const data: DeliveryThreadData = { loaded: this.loaded, logFields: this.log.bindings };
    const entry = this.options.entry ?? new URL('./delivery-thread-main.js', import.meta.url);
    const worker = new Worker(entry, { workerData: data });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: ThreadMessage) => {
        if (message.type === 'ready') {
          started = true;
          resolve();
        } else if (message.type === 'failed') {
          reject(new Error(message.message));
        } else {
          this.waiting.get(message.id)?.(message.metrics);
        }
      });
      worker.on('error', (error) => {
        if (started) this.log.error('The delivery thread failed.', { error });
        else reject(error);
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        for (const answer of this.waiting.values()) answer([]);
        this.waiting.clear();
        if (!started) reject(new Error(`the delivery thread exited during start (code ${code})`));
        else if (!this.stopping) this.restart(code);
      });
    });
  }

  /** The thread's metrics, for the process's /metrics (empty when it does not answer in time). */
  metrics(): Promise<MetricsJson> {
    const worker = this.worker;
    if (!worker) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise<MetricsJson>((resolve) => {
      const timer = setTimeout(() => answer([]), METRICS_TIMEOUT_MS);
      const answer = (metrics: MetricsJson): void => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(metrics);
      };
      this.waiting.set(id, answer);
      worker.postMessage({ type: 'metrics', id } satisfies HostMessage);
    });
  }

  /**
   * Asks the thread to stop as a daemon does (finish in-flight batches within
   * shutdown.timeoutSeconds) and waits for it; terminates it if it overstays by 15 s.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies HostMessage);
    const graceMs = (this.loaded.config.shutdown.timeoutSeconds + 15) * 1000;
    const timer = setTimeout(() => {
      this.log.warn('The delivery thread did not stop in time; terminating it.');
      worker.terminate().catch(() => undefined);
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }

  private restart(code: number): void {
    if (!this.restarts.allows()) {
      this.onGiveUp(new Error(`the delivery thread died ${this.restarts.recent} times within a minute`));
      return;
    }
    this.log.error('The delivery thread died; starting it again. Its batches are taken up again.', {
      code,
    });
    setTimeout(() => {
      if (this.stopping) return;
      this.start().catch((error: unknown) => this.onGiveUp(error as Error));
    }, this.options.restartDelayMs ?? RESTART_DELAY_MS).unref();
  }
}
