// Runs a stream's transform over a batch: groups records into invocations of about
// `bufferSizeMiB`, keeps several in flight on the thread pool, retries a failed invocation
// with backoff, and yields the results in record order. Records the function drops vanish;
// records that fail (per record, or with their whole invocation once retries are spent) are
// collected for the error output. It never throws for a transform's faults.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { unpackRecords } from '../../buffer/packing.js';
import type { TransformConfig } from '../../config/processing-schema.js';
import { backoffDelayMs } from '../../delivery/backoff.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Metrics } from '../../telemetry/metrics.js';
import type { OutputRecord, RecordFailure, SourceRecord } from '../records.js';
import type { TransformPools } from './pool.js';
import { type InvokeReply, type InvokeTask, RESULT_DROPPED, RESULT_OK } from './protocol.js';

const MiB = 1024 * 1024;
const RETRY_BACKOFF = { initialBackoffSeconds: 0.2, maxBackoffSeconds: 5 };

export interface TransformStepOptions {
  stream: string;
  config: TransformConfig;
  moduleUrl: string;
  deliveryStreamArn: string;
  region: string;
  pools: TransformPools;
  /** Invocations of one batch in flight at once. */
  parallel: number;
  metrics: Metrics;
  log: Logger;
}

export class TransformStep {
  readonly name: string;

  constructor(private readonly options: TransformStepOptions) {
    this.name = `${options.config.module}#${options.config.handler}`;
  }

  /** Loads the module in a thread, so a missing file or export stops the daemon at start. */
  async probe(): Promise<void> {
    const reply = await this.options.pools.probe(
      { kind: 'probe', moduleUrl: this.options.moduleUrl, handler: this.options.config.handler },
      this.options.config.memoryLimitMiB,
    );
    if (!reply.ok)
      throw new Error(`stream "${this.options.stream}": transform ${this.name}: ${reply.errorMessage}`);
  }

  async *apply(
    pages: AsyncIterable<SourceRecord[]>,
    failures: RecordFailure[],
    signal: AbortSignal,
  ): AsyncGenerator<OutputRecord[]> {
    const limit = this.options.config.bufferSizeMiB * MiB;
    const inFlight: Promise<OutputRecord[]>[] = [];
    let group: SourceRecord[] = [];
    let groupBytes = 0;
    for await (const page of pages) {
      for (const record of page) {
        if (group.length > 0 && groupBytes + record.data.length > limit) {
          inFlight.push(this.start(group, failures, signal));
          group = [];
          groupBytes = 0;
          if (inFlight.length >= this.options.parallel)
            yield await (inFlight.shift() as Promise<OutputRecord[]>);
        }
        group.push(record);
        groupBytes += record.data.length;
      }
    }
    if (group.length > 0) inFlight.push(this.start(group, failures, signal));
    while (inFlight.length > 0) yield await (inFlight.shift() as Promise<OutputRecord[]>);
  }

  private start(
    records: SourceRecord[],
    failures: RecordFailure[],
    signal: AbortSignal,
  ): Promise<OutputRecord[]> {
    const running = this.invokeWithRetries(records, failures, signal);
    // Awaited in order later; until then an abort's rejection must not count as unhandled.
    running.catch(() => undefined);
    return running;
  }

  /** Resolves with the Ok records; never rejects for the function's faults (only on abort). */
  private async invokeWithRetries(
    records: SourceRecord[],
    failures: RecordFailure[],
    signal: AbortSignal,
  ): Promise<OutputRecord[]> {
    const attempts = this.options.config.retries + 1;
    let last: { errorCode: string; errorMessage: string } = { errorCode: '', errorMessage: '' };
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      signal.throwIfAborted();
      const reply = await this.invokeOnce(records, signal);
      if (reply.ok) return this.collect(records, reply, attempt, failures);
      last = reply;
      this.options.log.warn('Transform invocation failed.', {
        stream: this.options.stream,
        transform: this.name,
        attempt,
        of: attempts,
        records: records.length,
        errorCode: reply.errorCode,
        errorMessage: reply.errorMessage,
      });
      if (attempt < attempts) await sleep(backoffDelayMs(RETRY_BACKOFF, attempt), undefined, { signal });
    }
    const endedAt = Date.now();
    for (const record of records) {
      failures.push({
        type: 'processing-failed',
        recordId: record.recordId,
        arrivalMs: record.arrivalMs,
        attemptsMade: attempts,
        errorCode: last.errorCode,
        errorMessage: last.errorMessage,
        attemptEndingMs: endedAt,
      });
    }
    this.options.metrics.transformRecords.inc(
      { stream: this.options.stream, result: 'ProcessingFailed' },
      records.length,
    );
    return [];
  }

  private async invokeOnce(records: SourceRecord[], signal: AbortSignal): Promise<InvokeReply> {
    const { config, metrics, stream } = this.options;
    const task = this.task(records);
    const started = performance.now();
    let reply: InvokeReply;
    try {
      reply = await this.options.pools.invoke(
        task,
        config.memoryLimitMiB,
        AbortSignal.any([signal, AbortSignal.timeout(config.timeoutSeconds * 1000)]),
      );
    } catch (error) {
      signal.throwIfAborted(); // shutting down: not the function's fault
      reply = { ok: false, ...threadFailure(error, config.timeoutSeconds) };
    }
    metrics.transformDuration.observe({ stream }, (performance.now() - started) / 1000);
    metrics.transformInvocations.inc({ stream, outcome: reply.ok ? 'ok' : reply.errorCode });
    return reply;
  }

  private task(records: SourceRecord[]): InvokeTask {
    // A dedicated buffer, so transferring it to the thread detaches nothing else.
    let size = 0;
    for (const record of records) size += 4 + record.data.length;
    const packed = new Uint8Array(size);
    const view = new DataView(packed.buffer);
    let offset = 0;
    for (const record of records) {
      view.setUint32(offset, record.data.length);
      packed.set(record.data, offset + 4);
      offset += 4 + record.data.length;
    }
    return {
      kind: 'invoke',
      moduleUrl: this.options.moduleUrl,
      handler: this.options.config.handler,
      invocationId: randomUUID(),
      deliveryStreamArn: this.options.deliveryStreamArn,
      region: this.options.region,
      timeoutMs: this.options.config.timeoutSeconds * 1000,
      records: packed,
      recordIds: records.map((record) => record.recordId),
      arrivals: records.map((record) => record.arrivalMs),
    };
  }

  private collect(
    records: SourceRecord[],
    reply: Extract<InvokeReply, { ok: true }>,
    attempt: number,
    failures: RecordFailure[],
  ): OutputRecord[] {
    const { metrics, stream, log } = this.options;
    const outputs = unpackRecords(
      Buffer.from(reply.output.buffer, reply.output.byteOffset, reply.output.byteLength),
    );
    const ok: OutputRecord[] = [];
    let dropped = 0;
    reply.results.forEach((result, index) => {
      const record = records[index] as SourceRecord;
      if (result === RESULT_OK) {
        const keys = reply.partitionKeys[index];
        const output: OutputRecord = {
          recordId: record.recordId,
          data: outputs[ok.length] as Buffer,
          arrivalMs: record.arrivalMs,
        };
        if (keys) output.partitionKeys = keys;
        ok.push(output);
      } else if (result === RESULT_DROPPED) {
        dropped += 1;
      }
    });
    const endedAt = Date.now();
    for (const failure of reply.failures) {
      const record = records[failure.index] as SourceRecord;
      failures.push({
        type: 'processing-failed',
        recordId: record.recordId,
        arrivalMs: record.arrivalMs,
        attemptsMade: attempt,
        errorCode: failure.errorCode,
        errorMessage: failure.errorMessage,
        attemptEndingMs: endedAt,
      });
    }
    if (reply.warnings.length > 0) {
      log.warn('Transform answer had problems that failed no record.', {
        stream,
        transform: this.name,
        warnings: reply.warnings.slice(0, 5),
      });
    }
    metrics.transformRecords.inc({ stream, result: 'Ok' }, ok.length);
    metrics.transformRecords.inc({ stream, result: 'Dropped' }, dropped);
    metrics.transformRecords.inc({ stream, result: 'ProcessingFailed' }, reply.failures.length);
    return ok;
  }
}

function threadFailure(error: unknown, timeoutSeconds: number): { errorCode: string; errorMessage: string } {
  const e = error as { name?: string; code?: string; message?: string };
  if (e.name === 'AbortError' || e.name === 'TimeoutError') {
    return {
      errorCode: 'Lambda.FunctionTimeout',
      errorMessage: `the invocation ran longer than ${timeoutSeconds} s and was stopped`,
    };
  }
  if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return { errorCode: 'Lambda.OutOfMemory', errorMessage: e.message ?? 'the transform ran out of memory' };
  }
  if (/worker exited/i.test(e.message ?? '')) {
    return { errorCode: 'Lambda.ProcessExited', errorMessage: e.message ?? 'the transform thread exited' };
  }
  return { errorCode: 'Lambda.Unknown', errorMessage: e.message ?? String(error) };
}
