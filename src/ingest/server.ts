// The ingest HTTP server: routes requests to the APIs and turns their errors into answers.
//   POST /                              the Firehose-compatible API (firehose/protocol.ts)
//   POST /v1/streams/{name}/records     the native NDJSON API, with Bearer keys (auth/bearer.ts)
// Stopping refuses new requests with 503 (ShuttingDown, or ServiceUnavailableException on the
// Firehose API) and waits for the ones in flight, so a request that was acked is always stored
// and one that was not is clearly refused.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SluiceError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { authenticateBearer } from './auth/bearer.js';
import type { IngestAuth } from './auth/keys.js';
import type { FirehoseApi } from './firehose/protocol.js';
import type { Ingestor } from './ingestor.js';
import { handlePutRecords, RECORDS_PATH, type RecordsApiLimits } from './records-api.js';
import { asSluiceError, sendError } from './respond.js';

export interface IngestServerOptions extends RecordsApiLimits {
  host: string;
  port: number;
}

/** What the APIs need besides the ingestor: the keys, the Firehose API, the metrics. */
export interface IngestApis {
  auth: IngestAuth;
  firehose: FirehoseApi;
  metrics: Metrics;
}

export class IngestServer {
  private readonly server: Server;
  private stopping = false;

  constructor(
    private readonly ingestor: Ingestor,
    private readonly options: IngestServerOptions,
    private readonly log: Logger,
    private readonly apis: IngestApis,
  ) {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => this.fail(res, error));
    });
    this.server.keepAliveTimeout = 65_000; // longer than typical load balancer idle timeouts
  }

  async start(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /** Stops taking requests and resolves once every request in flight has been answered. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await closed;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (path === '/') {
      await this.apis.firehose.handle(req, res, this.stopping);
      return;
    }
    if (this.stopping) {
      req.resume();
      res.setHeader('connection', 'close');
      throw new SluiceError('ShuttingDown', 'the daemon is stopping');
    }
    const match = RECORDS_PATH.exec(path);
    if (match) {
      if (req.method !== 'POST') {
        req.resume();
        throw new SluiceError('MethodNotAllowed', `${req.method} is not allowed on ${path}; use POST`);
      }
      const stream = decodeURIComponent(match[1] as string);
      const outcome = authenticateBearer(this.apis.auth, req.headers.authorization, stream);
      if ('failure' in outcome) {
        req.resume();
        this.apis.metrics.authFailures.inc({ api: 'records', reason: outcome.failure });
        throw outcome.error;
      }
      await handlePutRecords(req, res, stream, this.ingestor, this.options);
      return;
    }
    req.resume();
    throw new SluiceError('RouteNotFound', `no endpoint at ${req.method} ${path}`);
  }

  private fail(res: ServerResponse, error: unknown): void {
    const failure = asSluiceError(error);
    if (failure.code === 'BufferUnavailable') {
      this.log.error('Could not store an ingest request.', { error: failure.cause ?? failure });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, failure);
  }
}
