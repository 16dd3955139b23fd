// End-to-end latency: how long after its ack a request's records are readable in S3. The watcher
// lists the bucket every 100 ms and reads each new object; the object's requests (their markers)
// become visible at the time of the listing in which the object was first listed AND read back
// complete. The figure is an upper bound, off by at most one poll interval plus one listing, and
// covers every request, not a sample.
//
// "Complete" matters with s3rver: it lists an object while its PUT is still being written to
// disk (real S3 lists only finished objects), and a GET then returns a truncated body. s3rver
// stores the uploader's metadata only after the data, and until then answers with its
// placeholder Content-Type. An object counts once the GET carries another Content-Type (Sluice
// always sets one) and its body decompresses without a truncation error; otherwise it is read
// again at the next poll.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3TestServer } from '../test/support/s3server.js';
import { scanObject } from './s3-objects.js';
import { sleep } from './stats.js';

const POLL_MS = 100;
/** What s3rver answers as Content-Type while an object's metadata is not written yet. */
const S3RVER_PLACEHOLDER_TYPE = 'binary/octet-stream';

export class ObjectWatcher {
  /** Request sequence → epoch ms of the listing at which the object holding it was complete. */
  readonly visibleAt = new Map<number, number>();
  private readonly complete = new Set<string>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  private lastError: string | undefined;
  /** Reads of listed objects that were not complete yet (s3rver still writing them). */
  incompleteReads = 0;

  constructor(
    private readonly s3: S3TestServer,
    private readonly bucket: string,
    /** Only objects under this prefix are watched (the error output lands elsewhere). */
    private readonly prefix: string,
    /** Polling stops by itself after this long, should nobody call stop(). */
    private readonly maxRunMs: number,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** Resolves once every sequence in `seqs` was seen, or after `timeoutMs`; returns how many were. */
  async waitFor(seqs: readonly number[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const found = (): number => seqs.filter((seq) => this.visibleAt.has(seq)).length;
    while (found() < seqs.length && Date.now() < deadline) await sleep(POLL_MS);
    return found();
  }

  async stop(): Promise<string | undefined> {
    this.stopped = true;
    await this.loop;
    return this.lastError;
  }

  private async run(): Promise<void> {
    const deadline = Date.now() + this.maxRunMs;
    while (!this.stopped && Date.now() < deadline) {
      const started = Date.now();
      try {
        const keys = await this.s3.listKeys(this.bucket, this.prefix);
        const listedAt = Date.now();
        for (const key of keys) {
          if (this.complete.has(key)) continue;
          const seqs = await this.readIfComplete(key);
          if (seqs === undefined) {
            this.incompleteReads += 1;
            continue;
          }
          this.complete.add(key);
          for (const seq of seqs) if (!this.visibleAt.has(seq)) this.visibleAt.set(seq, listedAt);
        }
      } catch (error) {
        this.lastError = (error as Error).message;
      }
      await sleep(Math.max(0, POLL_MS - (Date.now() - started)));
    }
  }

  /** The object's request markers, or undefined while the object is still being written. */
  private async readIfComplete(key: string): Promise<number[] | undefined> {
    try {
      const response = await this.s3.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const bytes = await response.Body?.transformToByteArray();
      if (bytes === undefined || response.ContentType === S3RVER_PLACEHOLDER_TYPE) return undefined;
      const scan = await scanObject(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return scan.seqs;
    } catch {
      return undefined;
    }
  }
}
