// Assembles the ingest role from the config: the keys, the Firehose API and the HTTP server.
// The daemon calls checkIngestAuth before it connects to anything, so a config that would
// expose an unauthenticated ingest port stops the start at once.
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
  return new IngestServer(ingestor, config.ingest, log, { auth, firehose, metrics });
}
