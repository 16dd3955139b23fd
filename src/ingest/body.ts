// Reads a request body into one buffer, refusing it as soon as it passes the size limit so an
// oversized upload is never held in memory whole. Bodies held at once, over all connections,
// are counted against one budget (ingest.maxInflightMiB), so many large uploads at once are
// refused (503 Overloaded) instead of growing the process without bound.
import type { IncomingMessage } from 'node:http';
import { SluiceError } from '../errors.js';

/** The client went away mid-body: there is nobody to answer. */
export class ClientAborted extends Error {
  constructor(cause: unknown) {
    super('the client closed the connection before sending the whole request', { cause });
    this.name = 'ClientAborted';
  }
}

/** Bytes of request bodies held in memory by the requests in flight. */
export class InflightBudget {
  private held = 0;
  private peakBytes = 0;

  constructor(readonly maxBytes: number) {}

  /** A request's share; release it once the request is answered (or its connection is gone). */
  open(): Reservation {
    let bytes = 0;
    let released = false;
    return {
      take: (n: number): boolean => {
        if (released) return true;
        if (this.held + n > this.maxBytes) return false;
        this.held += n;
        bytes += n;
        this.peakBytes = Math.max(this.peakBytes, this.held);
        return true;
      },
      release: (): void => {
        if (released) return;
        released = true;
        this.held -= bytes;
      },
    };
  }

  get peak(): number {
    return this.peakBytes;
  }
}

export interface Reservation {
  /** Counts `n` more bytes held; false (nothing counted) when the budget has no room for them. */
  take(n: number): boolean;
  release(): void;
}

export function readBody(req: IncomingMessage, maxBytes: number, reservation?: Reservation): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(
      new SluiceError(
        'RequestTooLarge',
        `request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`,
      ),
    );
  }
  // Events rather than `for await`: leaving such a loop early destroys the request, and the
  // unread rest of its body then stalls the connection's next request until the request
  // timeout. A refused body is drained instead, so the answer reaches the client and the
  // connection stays usable; requestTimeoutSeconds bounds how long a drain can take.
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const stop = (error: Error): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      req.on('error', () => undefined); // a client leaving mid-drain is no error of ours
      req.resume();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > maxBytes) {
        stop(new SluiceError('RequestTooLarge', `request body exceeds the limit of ${maxBytes} bytes`));
      } else if (reservation && !reservation.take(chunk.length)) {
        stop(
          new SluiceError(
            'Overloaded',
            'too many request bytes are in memory at once (ingest.maxInflightMiB); nothing was stored, retry later',
          ),
        );
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = (): void => {
      req.off('data', onData);
      req.off('error', onError);
      req.off('close', onClose);
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length));
    };
    const onError = (error: Error): void => stop(new ClientAborted(error));
    const onClose = (): void => {
      if (!req.complete) stop(new ClientAborted(new Error('connection closed')));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}
