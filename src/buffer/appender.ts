// Appends ingest requests to the stream buffers and says, when it fails, whether the records
// may still be stored, which the ingest APIs must tell the client (README, Guarantees):
//   - Redis answered with an error, or the command never reached a live connection: not stored.
//   - The connection broke while the command was on it: it may have run. The Redis client
//     re-sends such a command after it reconnects (the request token keeps that from storing
//     twice, see lua/append.lua), but when it gives up the outcome is unknown.
// With `durability: replicated` every append is followed by `WAIT <replicas> <timeout>` on the
// same connection, before the ack. WAIT confirms every write its connection made before it, so
// concurrent requests share one WAIT (a group commit): a request joins the next WAIT sent after
// its append was answered. WAIT blocks its connection, so replicated appends get a connection
// of their own, away from the cutter's and the workers' commands.
import { randomBytes } from 'node:crypto';
import { type Redis, ReplyError } from 'ioredis';
import type { AppendResult, StreamBuffer } from './stream-buffer.js';

export type Durability = { mode: 'local' } | { mode: 'replicated'; replicas: number; timeoutMs: number };

/** Why an append was not acked, and whether its records may be stored all the same. */
export class AppendFailed extends Error {
  constructor(
    readonly stored: 'no' | 'maybe',
    readonly reason: 'redis' | 'connection' | 'replicas',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppendFailed';
  }
}

export class Appender {
  /** Request tokens: unique per process (nonce) and per request (counter). */
  private readonly nonce = randomBytes(6).toString('base64url');
  private counter = 0;
  /** Counts 'ready' and 'close' events of the connection, to tell what happened meanwhile. */
  private readyCount = 0;
  private closeCount = 0;
  private inFlightWait: Promise<number> | undefined;
  private nextWait: Promise<number> | undefined;

  /**
   * `redis`: the connection appends go through. `owned`: this appender connects and closes
   * it (the dedicated connection of replicated appends); otherwise it is the daemon's.
   */
  constructor(
    private readonly redis: Redis,
    private readonly durability: Durability,
    private readonly owned = false,
  ) {
    redis.on('ready', () => {
      this.readyCount += 1;
    });
    redis.on('close', () => {
      this.closeCount += 1;
    });
  }

  async start(): Promise<void> {
    if (this.owned && this.redis.status === 'wait') await this.redis.connect();
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }

  async append(buffer: StreamBuffer, packed: Buffer, count: number, bytes: number): Promise<AppendResult> {
    this.counter += 1;
    const token = `${this.nonce}${this.counter.toString(36)}`;
    const wasReady = this.redis.status === 'ready';
    const readyBefore = this.readyCount;
    const closedBefore = this.closeCount;
    let result: AppendResult;
    try {
      result = await buffer.append(packed, count, bytes, token, this.redis);
    } catch (error) {
      if (error instanceof ReplyError) {
        throw new AppendFailed('no', 'redis', `Redis refused the records: ${(error as Error).message}`, {
          cause: error,
        });
      }
      // Sent on a live connection (now, or from the offline queue after a reconnect): it may have run.
      const sent = wasReady || this.readyCount !== readyBefore;
      throw new AppendFailed(
        sent ? 'maybe' : 'no',
        'connection',
        sent
          ? `the connection to Redis broke while the records were being stored: ${(error as Error).message}`
          : `Redis is not reachable: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!result.accepted || this.durability.mode === 'local') return result;
    const { replicas, timeoutMs } = this.durability;
    let confirmed: number;
    try {
      confirmed = await this.replicate(replicas, timeoutMs);
    } catch (error) {
      throw new AppendFailed('maybe', 'replicas', `WAIT failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    // A WAIT re-sent on a new connection confirms that connection's writes, i.e. none.
    if (this.closeCount !== closedBefore) confirmed = 0;
    if (confirmed < replicas) {
      throw new AppendFailed(
        'maybe',
        'replicas',
        `${confirmed} of ${replicas} replica(s) confirmed the records within ${timeoutMs} ms`,
      );
    }
    return result;
  }

  /** Resolves with the replica count of a WAIT sent after the caller's append was answered. */
  private replicate(replicas: number, timeoutMs: number): Promise<number> {
    // A WAIT still unanswered now was sent after every append answered so far (one connection
    // answers in order), so it covers the caller's append.
    if (this.inFlightWait === undefined) return this.sendWait(replicas, timeoutMs);
    this.nextWait ??= this.inFlightWait
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.nextWait = undefined;
        return this.inFlightWait ?? this.sendWait(replicas, timeoutMs);
      });
    return this.nextWait;
  }

  private sendWait(replicas: number, timeoutMs: number): Promise<number> {
    const sent = this.redis.wait(replicas, timeoutMs).then(Number);
    this.inFlightWait = sent;
    const clear = (): void => {
      if (this.inFlightWait === sent) this.inFlightWait = undefined;
    };
    sent.then(clear, clear);
    return sent;
  }
}
