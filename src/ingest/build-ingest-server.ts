// Assembles the ingest role from the config: the keys, the Firehose API, the HTTP server, how
// appends reach Redis (ingest.durability) and the TLS certificate. The daemon calls
// checkIngestAuth before it connects to anything, so a config that would expose an
// unauthenticated ingest port stops the start at once.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Appender } from '../buffer/appender.js';
import type { LoadedConfig } from '../config/load.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { IngestAuth } from './auth/keys.js';
import { authStartupProblems } from './auth/startup-checks.js';
import { FirehoseApi } from './firehose/protocol.js';
import type { Ingestor } from './ingestor.js';
import { IngestServer } from './server.js';

/** Throws when the auth config cannot be used with the rest of the config (startup-checks.ts). */
export function checkIngestAuth(loaded: LoadedConfig): void {
  const problems = authStartupProblems(loaded.config);
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

export function buildIngestServer(
  loaded: LoadedConfig,
  ingestor: Ingestor,
  metrics: Metrics,
  log: Logger,
): IngestServer {
  const { config } = loaded;
  const auth = new IngestAuth(config.auth);
  const firehose = new FirehoseApi(
    {
      ingestor,
      streams: new Map(Object.entries(config.streams)),
      baseDir: loaded.baseDir,
      identity: config.ingest.firehose,
      maxRecordBytes: config.ingest.maxRecordBytes,
      maxBatchBytes: config.ingest.maxRequestBytes,
    },
    auth,
    metrics,
    log,
  );
  log.info(
    auth.required
      ? 'Ingest requires keys.'
      : 'Ingest is unauthenticated (auth.mode: none): whoever reaches its port can put records.',
    { accessKeys: config.auth.accessKeys.length, apiKeys: config.auth.apiKeys.length },
  );
  const { durability, replicas, replicaTimeoutMs } = config.ingest;
  // Appends get a connection of their own: replies on a connection come back in order, so on
  // the daemon's shared one an ack would wait behind the delivery's multi-MiB page reads
  // (measured: that wait was most of the ingest p99), and WAIT blocks its connection.
  const connection = new Redis(config.redis.url, { maxRetriesPerRequest: 3, lazyConnect: true });
  connection.on('error', (error) => log.warn('Redis connection error (ingest).', { error }));
  const appender = new Appender(
    connection,
    durability === 'replicated'
      ? { mode: 'replicated', replicas, timeoutMs: replicaTimeoutMs }
      : { mode: 'local' },
    true,
  );
  ingestor.useAppender(appender);
  if (durability === 'replicated') {
    log.info('Puts are acked once replicas confirm them (ingest.durability: replicated).', {
      replicas,
      replicaTimeoutMs,
    });
  }
  const tls = config.ingest.tls && {
    cert: readFileSync(resolve(loaded.baseDir, config.ingest.tls.certFile)),
    key: readFileSync(resolve(loaded.baseDir, config.ingest.tls.keyFile)),
  };
  return new IngestServer(ingestor, { ...config.ingest, tls }, log, { auth, firehose, metrics, appender });
}
