// The one way records enter the buffer, whatever API they came through: pack the request's
// records into one stream entry, append it (the ack waits for Redis), count it, and hand any
// batch the append cut to the scheduler.
import { Appender, AppendFailed } from '../buffer/appender.js';
import { recordId } from '../buffer/batch.js';
import { packRecords } from '../buffer/packing.js';
import type { StreamBuffer } from '../buffer/stream-buffer.js';
import { SluiceError } from '../errors.js';
import type { Metrics } from '../telemetry/metrics.js';

export type CutListener = (stream: string, seq: number) => void;

export interface IngestResult {
  entryId: string;
  recordIds: string[];
}

export class Ingestor {
  private appender: Appender | undefined;

  constructor(
    private readonly buffers: ReadonlyMap<string, StreamBuffer>,
    private readonly metrics: Metrics,
    private readonly onCut: CutListener,
  ) {}

  /**
   * How appends reach Redis (durability, connection). By default: on the buffers' own
   * connection, acked once the primary has them. The ingest role sets it from the config.
   */
  useAppender(appender: Appender): void {
    this.appender = appender;
  }

  private defaultAppender(): Appender {
    const first = this.buffers.values().next().value;
    if (!first) throw new Error('the ingestor has no stream');
    this.appender = new Appender(first.redis, { mode: 'local' });
    return this.appender;
  }

  hasStream(stream: string): boolean {
    return this.buffers.has(stream);
  }

  streamNames(): string[] {
    return [...this.buffers.keys()];
  }

  async ingest(stream: string, records: readonly Uint8Array[], bytes: number): Promise<IngestResult> {
    if (!this.buffers.has(stream)) {
      throw new SluiceError('StreamNotFound', `delivery stream "${stream}" is not configured`);
    }
    return this.ingestPacked(stream, packRecords(records, bytes), records.length, bytes);
  }

  /**
   * Appends records already packed into one entry (packing.ts layout): `count` records holding
   * `bytes` bytes of data. The Firehose API packs as it decodes base64, so it comes in here.
   */
  async ingestPacked(stream: string, packed: Buffer, count: number, bytes: number): Promise<IngestResult> {
    const buffer = this.buffers.get(stream);
    if (!buffer) throw new SluiceError('StreamNotFound', `delivery stream "${stream}" is not configured`);
    const started = performance.now();
    const appender = this.appender ?? this.defaultAppender();
    let result: Awaited<ReturnType<Appender['append']>>;
    try {
      result = await appender.append(buffer, packed, count, bytes);
    } catch (error) {
      throw asIngestError(error, stream, count, this.metrics);
    }
    if (!result.accepted) {
      this.metrics.rejectedRecords.inc({ stream, code: 'BacklogFull' }, count);
      throw new SluiceError(
        'BacklogFull',
        `delivery stream "${stream}" has ${result.backlogBytes} bytes waiting for delivery, its limit; retry later`,
      );
    }
    this.metrics.ingestLatency.observe({ stream }, (performance.now() - started) / 1000);
    this.metrics.incomingRecords.inc({ stream }, count);
    this.metrics.incomingBytes.inc({ stream }, bytes);
    this.metrics.incomingRequests.inc({ stream });
    if (result.cutSeq > 0) this.onCut(stream, result.cutSeq);
    const recordIds = new Array<string>(count);
    for (let i = 0; i < count; i += 1) recordIds[i] = recordId(result.entryId, i);
    return { entryId: result.entryId, recordIds };
  }
}

/** The client's view of a failed append: whether its records may be stored decides the code. */
function asIngestError(error: unknown, stream: string, count: number, metrics: Metrics): unknown {
  if (!(error instanceof AppendFailed)) return error;
  const code =
    error.reason === 'replicas'
      ? 'NotReplicated'
      : error.stored === 'maybe'
        ? 'OutcomeUnknown'
        : 'BufferUnavailable';
  metrics.rejectedRecords.inc({ stream, code }, count);
  const advice =
    error.stored === 'maybe'
      ? 'the records may be stored; a retry may store them twice'
      : 'nothing of the request was stored';
  return new SluiceError(code, `${error.message}; ${advice}`, { cause: error });
}
