// Wires the roles of one Sluice process and starts and stops them in order.
//   ingest  — the HTTP APIs: records into the Redis buffer (and the size trigger)
//   cutter  — the time trigger and the reconciler of batches without a job
//   worker  — delivery of batches to their destinations
// All three run by default; scale-out runs the same binary with a subset (`--roles`).
import { Redis } from 'ioredis';
import { AggregatorRegistry } from 'prom-client';
import { AdminServer, type MetricsSource, registrySource } from './admin/server.js';
import { Cutter } from './batching/cutter.js';
import { BatchScheduler } from './batching/scheduler.js';
import type { BufferStats } from './buffer/stream-buffer.js';
import { StreamBuffer } from './buffer/stream-buffer.js';
import { CompressionPool } from './compression/pool.js';
import { deliveryStreamArn } from './config/firehose-schema.js';
import type { LoadedConfig } from './config/load.js';
import { buildPipeline, type StreamPipeline } from './delivery/pipeline.js';
import { DeliveryThread, type MetricsJson } from './delivery-thread.js';
import { buildIngestServer, checkIngestAuth } from './ingest/build-ingest-server.js';
import { Ingestor } from './ingest/ingestor.js';
import type { IngestServer } from './ingest/server.js';
import { TransformPools } from './processing/transform/pool.js';
import { DeliveryWorker } from './processing/worker.js';
import { threadsPerPool } from './sizing.js';
import type { Logger } from './telemetry/logger.js';
import { Metrics } from './telemetry/metrics.js';

export const ALL_ROLES = ['ingest', 'cutter', 'worker'] as const;
export type Role = (typeof ALL_ROLES)[number];

const MiB = 1024 * 1024;

export interface DaemonAddresses {
  ingest?: { host: string; port: number };
  admin?: { host: string; port: number };
}

export interface DaemonOptions {
  roles: ReadonlySet<Role>;
  /** False in the processes of a cluster, whose supervisor serves /metrics for all of them. */
  admin: boolean;
  /** Says "Sluice started." when true; a cluster's supervisor says it once all processes run. */
  announce: boolean;
  /** This daemon is a process's delivery thread (delivery-thread.ts): it delivers here. */
  isDeliveryThread?: boolean;
}

export class Daemon {
  private readonly redis: Redis;
  private readonly pipelines = new Map<string, StreamPipeline>();
  private readonly metrics: Metrics;
  private readonly pools: TransformPools;
  private readonly compression: CompressionPool;
  private readonly scheduler: BatchScheduler;
  private ingest: IngestServer | undefined;
  private cutter: Cutter | undefined;
  private worker: DeliveryWorker | undefined;
  private deliveryThread: DeliveryThread | undefined;
  private admin: AdminServer | undefined;
  private stopping: Promise<void> | undefined;
  private lastRedisError: Error | undefined;

  private readonly roles: ReadonlySet<Role>;

  constructor(
    private readonly loaded: LoadedConfig,
    private readonly options: DaemonOptions,
    private readonly log: Logger,
  ) {
    this.roles = options.roles;
    const { config } = loaded;
    this.redis = new Redis(config.redis.url, { maxRetriesPerRequest: 3, lazyConnect: true });
    this.redis.on('error', (error) => {
      this.lastRedisError = error;
      this.log.warn('Redis connection error.', { error });
    });
    this.metrics = new Metrics(options.isDeliveryThread ? undefined : () => this.bufferStats());
    // The processes of a cluster already spread over the cores: each gets its share of threads
    // per pool, so the machine runs about one compression thread per core in all (each costs memory).
    const threads = threadsPerPool(config);
    this.pools = new TransformPools(threads);
    this.compression = new CompressionPool(threads);
    const deps = {
      baseDir: loaded.baseDir,
      pools: this.pools,
      compression: this.compression,
      threads,
      deliveryStreamArn: (stream: string) => deliveryStreamArn(config.ingest.firehose, stream),
      region: config.ingest.firehose.region,
      metrics: this.metrics,
      log,
    };
    for (const [stream, streamConfig] of Object.entries(config.streams)) {
      const buffer = new StreamBuffer(this.redis, config.redis.keyPrefix, stream, {
        maxBacklogBytes: streamConfig.maxBacklogMiB * MiB,
        batchSizeBytes: streamConfig.buffering.sizeMiB * MiB,
      });
      this.pipelines.set(stream, buildPipeline(stream, streamConfig, buffer, deps));
    }
    this.scheduler = new BatchScheduler(config.redis.url, config.redis.keyPrefix, log);
  }

  async start(): Promise<DaemonAddresses> {
    const { config } = this.loaded;
    if (this.roles.has('ingest')) checkIngestAuth(this.loaded);
    await this.connectRedis();
    await this.checkEvictionPolicy();
    const addresses: DaemonAddresses = {};
    if (this.roles.has('worker')) {
      if (this.roles.has('ingest') && config.workers.deliveryThread && !this.options.isDeliveryThread) {
        this.deliveryThread = new DeliveryThread(this.loaded, this.log, (error) => {
          // Exit non-zero, so a supervisor (the cluster's, systemd, Docker) starts it again.
          this.log.error('The delivery thread keeps dying; stopping the daemon.', { error });
          this.stop().finally(() => process.exit(1));
        });
        await this.deliveryThread.start();
      } else {
        await this.startWorker();
      }
    }
    if (this.roles.has('cutter')) {
      const streams = [...this.pipelines.values()].map((pipe) => ({
        buffer: pipe.buffer,
        intervalMs: pipe.config.buffering.intervalSeconds * 1000,
      }));
      this.cutter = new Cutter(streams, this.scheduler, this.metrics, this.log);
      this.cutter.start();
    }
    if (this.roles.has('ingest')) {
      const buffers = new Map([...this.pipelines].map(([name, pipe]) => [name, pipe.buffer]));
      const ingestor = new Ingestor(buffers, this.metrics, (stream, seq) => this.onSizeCut(stream, seq));
      this.ingest = buildIngestServer(this.loaded, ingestor, this.metrics, this.log);
      const address = await this.ingest.start();
      addresses.ingest = { host: address.address, port: address.port };
    }
    if (this.options.admin) {
      this.admin = new AdminServer(config.admin, this.metricsSource(), this.redis, this.log);
      const admin = await this.admin.start();
      addresses.admin = { host: admin.address, port: admin.port };
    }
    this.log.info(this.options.announce ? 'Sluice started.' : 'Sluice process started.', {
      roles: [...this.roles],
      streams: [...this.pipelines.keys()],
      ingest: addresses.ingest ? `${addresses.ingest.host}:${addresses.ingest.port}` : undefined,
      admin: addresses.admin ? `${addresses.admin.host}:${addresses.admin.port}` : undefined,
    });
    return addresses;
  }

  private async startWorker(): Promise<void> {
    const { config } = this.loaded;
    for (const pipe of this.pipelines.values()) {
      pipe.destination.healthcheck(AbortSignal.timeout(10_000)).catch((error: unknown) => {
        this.log.warn('Destination is not reachable yet; records stay buffered until it is.', {
          stream: pipe.stream,
          destination: pipe.destination.type,
          error,
        });
      });
    }
    // A transform that cannot load would fail every batch: refuse to start instead.
    for (const pipe of this.pipelines.values()) await pipe.processing.transform?.probe();
    this.worker = new DeliveryWorker(
      this.pipelines,
      {
        redisUrl: config.redis.url,
        keyPrefix: config.redis.keyPrefix,
        concurrency: config.workers.concurrency,
        lockSeconds: config.workers.lockSeconds,
      },
      this.metrics,
      this.log,
    );
    this.worker.start();
  }

  /** Stops in data-path order: no new records, no new batches, finish deliveries. Safe twice. */
  stop(): Promise<void> {
    this.stopping ??= this.stopInOrder();
    return this.stopping;
  }

  private async stopInOrder(): Promise<void> {
    const timeoutMs = this.loaded.config.shutdown.timeoutSeconds * 1000;
    await this.ingest?.stop();
    await this.cutter?.stop();
    await this.worker?.stop(timeoutMs);
    await this.deliveryThread?.stop();
    await this.pools.close();
    await this.compression.close();
    await this.scheduler.close();
    await this.admin?.stop();
    await Promise.all([...this.pipelines.values()].map((pipe) => pipe.destination.close()));
    await Promise.all([...this.pipelines.values()].map((pipe) => pipe.encoder.close?.()));
    if (this.redis.status === 'ready') await this.redis.quit();
    else this.redis.disconnect();
    if (this.options.announce)
      this.log.info('Sluice stopped; undelivered records stay in Redis for the next start.');
  }

  private onSizeCut(stream: string, seq: number): void {
    this.metrics.batchesCut.inc({ stream, trigger: 'size' });
    this.scheduler.enqueue(stream, seq).catch((error: unknown) => {
      // The batch is registered; the reconciler will enqueue it.
      this.log.warn('Could not enqueue a cut batch; the reconciler will.', { stream, batch: seq, error });
    });
  }

  private async connectRedis(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (error) {
      // ioredis rejects with a bare "Connection is closed"; the cause came as an 'error' event.
      const cause = this.lastRedisError ?? error;
      throw new Error(
        `cannot connect to Redis at ${redactUrl(this.loaded.config.redis.url)}: ${(cause as Error).message}`,
      );
    }
  }

  /** Invariant 2: evicting keys would silently drop acked records, so refuse to run with it. */
  private async checkEvictionPolicy(): Promise<void> {
    const info = await this.redis.info('memory');
    const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
    if (policy !== 'noeviction') {
      throw new Error(
        `Redis maxmemory-policy is "${policy ?? 'unknown'}"; Sluice needs "noeviction" so acked records are never evicted (CONFIG SET maxmemory-policy noeviction)`,
      );
    }
  }

  /** This daemon's own metrics (without its delivery thread's). */
  get metricsRegistry() {
    return this.metrics.registry;
  }

  /** This process's metrics, its delivery thread's included, for a cluster supervisor to aggregate. */
  async metricsJson(): Promise<MetricsJson> {
    const own = await this.metrics.registry.getMetricsAsJSON();
    return this.deliveryThread ? [...own, ...(await this.deliveryThread.metrics())] : own;
  }

  private metricsSource(): MetricsSource {
    if (!this.deliveryThread) return registrySource(this.metrics.registry);
    return {
      contentType: this.metrics.registry.contentType,
      text: async () => AggregatorRegistry.aggregate([await this.metricsJson()]).metrics(),
    };
  }

  private async bufferStats(): Promise<Map<string, BufferStats>> {
    const entries = await Promise.all(
      [...this.pipelines].map(async ([name, pipe]) => [name, await pipe.buffer.stats()] as const),
    );
    return new Map(entries);
  }
}

/** The Redis URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}
