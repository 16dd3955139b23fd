// The ingest HTTP server: routes requests to the APIs and turns their errors into answers.
// Stopping refuses new requests with 503 ShuttingDown and waits for the ones in flight, so a
// request that was acked is always stored and one that was not is clearly refused.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SluiceError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { Ingestor } from './ingestor.js';
import { handlePutRecords, RECORDS_PATH, type RecordsApiLimits } from './records-api.js';
import { asSluiceError, sendError } from './respond.js';

export interface IngestServerOptions extends RecordsApiLimits {
  host: string;
  port: number;
}

export class IngestServer {
  private readonly server: Server;
  private stopping = false;

  constructor(
    private readonly ingestor: Ingestor,
    private readonly options: IngestServerOptions,
    private readonly log: Logger,
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
    if (this.stopping) {
      req.resume();
      res.setHeader('connection', 'close');
      throw new SluiceError('ShuttingDown', 'the daemon is stopping');
    }
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const match = RECORDS_PATH.exec(path);
    if (match) {
      if (req.method !== 'POST') {
        req.resume();
        throw new SluiceError('MethodNotAllowed', `${req.method} is not allowed on ${path}; use POST`);
      }
      await handlePutRecords(req, res, decodeURIComponent(match[1] as string), this.ingestor, this.options);
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
