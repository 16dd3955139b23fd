// A fault-injecting HTTP proxy on loopback, put between the daemon and the S3-compatible test
// server. It forwards requests unchanged (the Host header too, which SigV4 signs) and, when told,
// fails some of them the ways S3 and networks fail:
//   http500   500 InternalError, with S3's XML error body
//   slowDown  503 SlowDown ("Please reduce your request rate."), as S3 throttles
//   reset     the connection is destroyed: before the request reaches S3, or after S3 has
//             stored it and before the answer gets back (the write happened; the client
//             cannot know)
//   stall     the request is held for a while (past the client's timeout, often) and then
//             forwarded
// Which requests fail is drawn from the random source given, so a seeded run repeats its plan.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const FAULT_KINDS = ['http500', 'slowDown', 'reset', 'stall'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultPlan {
  /** Chance that a request fails, 0 to 1. */
  rate: number;
  kinds: readonly FaultKind[];
  /** How long a stall holds a request: drawn between these, in ms. */
  stallMs?: [number, number];
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  /** Faults from now on; undefined forwards everything. */
  setFaults(plan: FaultPlan | undefined): void;
  /** Faults injected so far, by kind. */
  injected(): Record<FaultKind, number>;
  /** Requests seen so far. */
  requests(): number;
  close(): Promise<void>;
}

function s3Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomUUID()}</RequestId></Error>`;
}

export async function startFaultProxy(
  target: string,
  random: () => number = Math.random,
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const counts: Record<FaultKind, number> = { http500: 0, slowDown: 0, reset: 0, stall: 0 };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let plan: FaultPlan | undefined;
  let seen = 0;
  let closing = false;

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const answer = (req: IncomingMessage, res: ServerResponse, status: number, body: string): void => {
    // Read the upload first, as S3 does before it answers a PutObject or UploadPart.
    req.resume();
    req.once('end', () => {
      res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };

  const forward = (req: IncomingMessage, res: ServerResponse, resetAfter: boolean): void => {
    const outgoing = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (reply) => {
        if (resetAfter) {
          // S3 has done the work; the client never hears of it.
          reply.resume();
          reply.once('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    outgoing.on('error', () => req.socket.destroy());
    req.pipe(outgoing);
  };

  const server = createServer((req, res) => {
    seen += 1;
    const kind =
      plan && random() < plan.rate ? plan.kinds[Math.floor(random() * plan.kinds.length)] : undefined;
    if (kind === undefined || closing) {
      forward(req, res, false);
      return;
    }
    counts[kind] += 1;
    switch (kind) {
      case 'http500':
        answer(
          req,
          res,
          500,
          s3Error('InternalError', 'We encountered an internal error. Please try again.'),
        );
        return;
      case 'slowDown':
        answer(req, res, 503, s3Error('SlowDown', 'Please reduce your request rate.'));
        return;
      case 'reset':
        if (random() < 0.5) req.socket.destroy();
        else forward(req, res, true);
        return;
      case 'stall': {
        const [low, high] = plan?.stallMs ?? [2000, 8000];
        req.pause();
        later(low + random() * (high - low), () => {
          if (!req.socket.destroyed) forward(req, res, false);
        });
        return;
      }
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    setFaults(next) {
      plan = next;
    },
    injected: () => ({ ...counts }),
    requests: () => seen,
    async close() {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
