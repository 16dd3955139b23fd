// The ingest HTTP server: routes requests to the APIs and turns their errors into answers.
//   POST /                              the Firehose-compatible API (firehose/protocol.ts)
//   POST /v1/streams/{name}/records     the native NDJSON API, with Bearer keys (auth/bearer.ts)
// Stopping refuses new requests with 503 (ShuttingDown, or ServiceUnavailableException on the
// Firehose API) and waits for the ones in flight, so a request that was acked is always stored
// and one that was not is clearly refused.
// Hostile or broken clients are bounded: headers and whole requests have deadlines (408),
// connections a count (ingest.maxConnections), bodies in memory a budget (body.ts), and what
// cannot be parsed as HTTP is answered 400/431 and disconnected (client-errors.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Appender } from '../buffer/appender.js';
import { SluiceError } from '../errors.js';
import { listen } from '../net/listen.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { authenticateBearer } from './auth/bearer.js';
import type { IngestAuth } from './auth/keys.js';
import { ClientAborted, InflightBudget } from './body.js';
import { answerClientError } from './client-errors.js';
import type { FirehoseApi } from './firehose/protocol.js';
import type { Ingestor } from './ingestor.js';
import { handlePutRecords, RECORDS_PATH, type RecordsApiLimits } from './records-api.js';
import { asSluiceError, sendError } from './respond.js';

export interface IngestServerOptions extends RecordsApiLimits {
  host: string;
  port: number;
  headersTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  maxConnections: number;
  maxInflightMiB: number;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
}

/** How often Node checks the header and request deadlines; its default (30 s) would blur them. */
const DEADLINE_CHECK_MS = 500;

/** What the APIs need besides the ingestor: the keys, the Firehose API, the metrics. */
export interface IngestApis {
  auth: IngestAuth;
  firehose: FirehoseApi;
  metrics: Metrics;
  /** Started before the port opens and closed after the last request is answered. */
  appender?: Appender;
}

export class IngestServer {
  private readonly server: Server;
  private readonly budget: InflightBudget;
  private stopping = false;

  constructor(
    private readonly ingestor: Ingestor,
    private readonly options: IngestServerOptions,
    private readonly log: Logger,
    private readonly apis: IngestApis,
  ) {
    this.budget = new InflightBudget(options.maxInflightMiB * 1024 * 1024);
    const serverOptions = {
      headersTimeout: options.headersTimeoutSeconds * 1000,
      requestTimeout: options.requestTimeoutSeconds * 1000,
      connectionsCheckingInterval: DEADLINE_CHECK_MS,
    };
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.route(req, res).catch((error: unknown) => this.fail(res, error));
    };
    this.server = options.tls
      ? createHttpsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, handler)
      : createServer(serverOptions, handler);
    this.server.keepAliveTimeout = 65_000; // longer than typical load balancer idle timeouts
    // Not server.maxConnections: in a cluster process (supervisor.ts) a connection it declines
    // goes back to the supervisor, which offers it to a process again and again while all are
    // full, and the client hangs. Closing it here drops it at once, as intended.
    let open = 0;
    this.server.on('connection', (socket: Socket) => {
      if (open >= options.maxConnections) {
        socket.destroy();
        return;
      }
      open += 1;
      socket.once('close', () => {
        open -= 1;
      });
    });
    this.server.on('clientError', (error, socket) => answerClientError(error, socket));
    // A TLS handshake that fails (plain HTTP to the HTTPS port, a bad client) just ends that socket.
    this.server.on('tlsClientError', (_error, socket) => socket.destroy());
  }

  async start(): Promise<AddressInfo> {
    await this.apis.appender?.start();
    return listen(this.server, this.options.port, this.options.host);
  }

  /** Stops taking requests and resolves once every request in flight has been answered. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await closed;
    await this.apis.appender?.close();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reservation = this.budget.open();
    res.once('close', () => reservation.release());
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (path === '/') {
      await this.apis.firehose.handle(req, res, this.stopping, reservation);
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
      const stream = decodeStreamName(match[1] as string);
      const outcome = authenticateBearer(this.apis.auth, req.headers.authorization, stream);
      if ('failure' in outcome) {
        req.resume();
        this.apis.metrics.authFailures.inc({ api: 'records', reason: outcome.failure });
        throw outcome.error;
      }
      await handlePutRecords(req, res, stream, this.ingestor, this.options, reservation);
      return;
    }
    req.resume();
    throw new SluiceError('RouteNotFound', `no endpoint at ${req.method} ${path}`);
  }

  private fail(res: ServerResponse, error: unknown): void {
    if (error instanceof ClientAborted) {
      res.destroy(); // nobody is left to answer
      return;
    }
    const failure = asSluiceError(error);
    if (failure.code === 'BufferUnavailable' || failure.code === 'OutcomeUnknown') {
      this.log.error('Could not store an ingest request.', {
        code: failure.code,
        error: failure.cause ?? failure,
      });
    } else if (failure.code === 'NotReplicated') {
      this.log.warn('Replicas did not confirm an ingest request in time.', { error: failure.message });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, failure);
  }
}

/**
 * The stream name of a records path. A name that is not valid percent-encoded UTF-8 cannot be
 * a configured stream: it becomes '' (which no stream is called), so the request is refused as
 * any unknown stream is, after authentication.
 */
function decodeStreamName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return '';
  }
}
