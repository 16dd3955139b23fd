// The admin server: GET /metrics (Prometheus), GET /healthz (the process is up), GET /readyz
// (Redis answers, so ingest can ack). Kept off the ingest port so it can stay private.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { listen } from '../net/listen.js';
import type { Logger } from '../telemetry/logger.js';

/** What /metrics serves: one process's registry, or the cluster's aggregate (supervisor.ts). */
export interface MetricsSource {
  contentType: string;
  text(): Promise<string>;
}

export function registrySource(registry: Registry): MetricsSource {
  return { contentType: registry.contentType, text: () => registry.metrics() };
}

export class AdminServer {
  private readonly server: Server;

  constructor(
    private readonly options: { host: string; port: number },
    private readonly metrics: MetricsSource,
    private readonly redis: Redis,
    private readonly log: Logger,
  ) {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        this.log.warn('Admin request failed.', { error, path: req.url });
        if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
        else res.destroy();
      });
    });
  }

  start(): Promise<AddressInfo> {
    return listen(this.server, this.options.port, this.options.host);
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain', 'use GET\n');
      return;
    }
    if (path === '/metrics') {
      send(res, 200, this.metrics.contentType, await this.metrics.text());
    } else if (path === '/healthz') {
      send(res, 200, 'text/plain', 'ok\n');
    } else if (path === '/readyz') {
      const ready = await this.redisAnswers();
      send(res, ready ? 200 : 503, 'text/plain', ready ? 'ready\n' : 'redis unreachable\n');
    } else {
      send(res, 404, 'text/plain', 'not found\n');
    }
  }

  private async redisAnswers(): Promise<boolean> {
    try {
      const answer = await Promise.race([
        this.redis.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000).unref()),
      ]);
      return answer === 'PONG';
    } catch {
      return false;
    }
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
