// The Firehose-compatible API: AWS JSON 1.1 on `POST /` of the ingest port. The operation is
// named by `X-Amz-Target: Firehose_20150804.<Operation>`; the body is JSON (any Content-Type is
// read as application/x-amz-json-1.1). Each request: operation named, signature header checked
// (auth.mode keys), body read within a limit, signature verified over it, JSON parsed,
// operation run, answered in JSON 1.1 with an x-amzn-RequestId; counted once in the API
// metrics whatever the outcome.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SluiceError } from '../../errors.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Metrics } from '../../telemetry/metrics.js';
import { ANONYMOUS, type IngestAuth } from '../auth/keys.js';
import { checkSigV4Headers, type SignedRequest, verifySignature } from '../auth/sigv4.js';
import { ClientAborted, type Reservation, readBody } from '../body.js';
import {
  type ApiCall,
  type FirehoseContext,
  OPERATIONS,
  type Operation,
  type OperationHandler,
} from './context.js';
import { describeDeliveryStream } from './describe-delivery-stream.js';
import { FirehoseError, SLOW_DOWN, sendFirehoseError, sendFirehoseJson } from './errors.js';
import { listDeliveryStreams } from './list-delivery-streams.js';
import { putRecord } from './put-record.js';
import { putRecordBatch } from './put-record-batch.js';
import { parseJsonObject } from './validate.js';

const TARGET_PREFIX = 'Firehose_20150804.';

const HANDLERS: Record<Operation, OperationHandler> = {
  PutRecord: putRecord,
  PutRecordBatch: putRecordBatch,
  ListDeliveryStreams: listDeliveryStreams,
  DescribeDeliveryStream: describeDeliveryStream,
};

/**
 * The most body a request may send. The batch limit counts decoded bytes; base64 makes them
 * 4/3 larger, and a JSON encoder may escape each "/" of the base64 as "\/", so the body limit
 * is twice the base64 size of the largest request plus room for the JSON around the records.
 */
export function firehoseBodyLimit(maxRecordBytes: number, maxBatchBytes: number): number {
  const largest = Math.max(maxRecordBytes, maxBatchBytes);
  return 2 * Math.ceil(largest / 3) * 4 + 1024 * 1024;
}

export class FirehoseApi {
  private readonly bodyLimit: number;

  constructor(
    private readonly ctx: FirehoseContext,
    private readonly auth: IngestAuth,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.bodyLimit = firehoseBodyLimit(ctx.maxRecordBytes, ctx.maxBatchBytes);
  }

  /** Answers one request to `/`; never throws. `stopping`: the daemon refuses new work. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    stopping: boolean,
    reservation?: Reservation,
  ): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const call: ApiCall = { operation: 'unknown', stream: '', records: 0, bytes: 0 };
    try {
      const operation = operationOf(req);
      call.operation = operation;
      if (stopping) {
        res.setHeader('connection', 'close');
        throw new FirehoseError('ServiceUnavailableException', 'The daemon is stopping; retry later.');
      }
      // What the signature claims is checked before the body is read, so a caller without a
      // valid key and clock cannot make Sluice read (up to ~11 MB of) body.
      const signed = this.auth.required ? signedRequest(req) : undefined;
      const claim = signed && checkSigV4Headers(signed, this.auth);
      const body = await this.readBody(req, reservation);
      const caller = signed && claim ? await verifySignature({ ...signed, body }, claim) : ANONYMOUS;
      const output = await HANDLERS[operation](this.ctx, caller, parseJsonObject(body), call);
      sendFirehoseJson(res, 200, output, requestId);
    } catch (error) {
      if (error instanceof ClientAborted) {
        res.destroy(); // nobody is left to answer
        return;
      }
      req.resume(); // drain what was not read, so the connection can carry the answer
      const failure = this.asFirehoseError(error, call);
      this.metrics.apiErrors.inc({ operation: call.operation, type: failure.type });
      if (failure.authFailure) {
        this.metrics.authFailures.inc({ api: 'firehose', reason: failure.authFailure });
        this.log.debug('Refused a Firehose API request.', {
          operation: call.operation,
          reason: failure.authFailure,
          error: failure.type,
        });
      }
      if (res.headersSent) res.destroy();
      else sendFirehoseError(res, failure, requestId);
    } finally {
      const labels = { operation: call.operation, stream: call.stream };
      this.metrics.apiRequests.inc(labels);
      this.metrics.apiLatency.observe(labels, (performance.now() - started) / 1000);
      if (call.records > 0) {
        this.metrics.apiRecords.inc(labels, call.records);
        this.metrics.apiBytes.inc(labels, call.bytes);
      }
    }
  }

  private async readBody(req: IncomingMessage, reservation: Reservation | undefined): Promise<Buffer> {
    try {
      return await readBody(req, this.bodyLimit, reservation);
    } catch (error) {
      if (error instanceof SluiceError && error.code === 'RequestTooLarge') {
        throw new FirehoseError(
          'InvalidArgumentException',
          `The request body exceeds ${this.bodyLimit} bytes, more than any request within the limits can need.`,
        );
      }
      throw error;
    }
  }

  /** Anything thrown while handling, in Firehose's terms. */
  private asFirehoseError(error: unknown, call: ApiCall): FirehoseError {
    if (error instanceof FirehoseError) return error;
    if (error instanceof SluiceError) {
      switch (error.code) {
        case 'BacklogFull':
        case 'Overloaded':
          return new FirehoseError('ServiceUnavailableException', SLOW_DOWN);
        case 'OutcomeUnknown':
        case 'NotReplicated':
          // The records may be stored: say so, as the NDJSON API's code does.
          this.log.warn('A Firehose API request may or may not be stored.', { error: error.message });
          return new FirehoseError(
            'ServiceUnavailableException',
            `The records may have been stored (${error.code}): ${error.message}. A retry may store them twice.`,
          );
        case 'StreamNotFound':
          return new FirehoseError(
            'ResourceNotFoundException',
            `Firehose ${call.stream} under account ${this.ctx.identity.accountId} not found.`,
          );
        case 'BufferUnavailable':
        case 'ShuttingDown':
          break;
        default:
          return new FirehoseError('InvalidArgumentException', error.message);
      }
    }
    // Redis refused or failed: nothing was stored, and a retry may well succeed.
    this.log.error('Could not store a Firehose API request.', { operation: call.operation, error });
    return new FirehoseError(
      'ServiceUnavailableException',
      'The records could not be stored; nothing of the request was stored. Retry later.',
    );
  }
}

function operationOf(req: IncomingMessage): Operation {
  const target = req.headers['x-amz-target'];
  const name =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (req.method === 'POST' && (OPERATIONS as readonly string[]).includes(name)) return name as Operation;
  const what =
    req.method !== 'POST'
      ? `${req.method} /: Firehose API calls are POST / with an X-Amz-Target header`
      : target === undefined
        ? 'Missing X-Amz-Target header'
        : `Unknown or unsupported operation ${String(target).slice(0, 100)}`;
  throw new FirehoseError(
    'UnknownOperationException',
    `${what}. Sluice serves ${OPERATIONS.map((op) => TARGET_PREFIX + op).join(', ')}; delivery streams are declared in its config.`,
  );
}

/** The parts of the request that SigV4 signs (but the body), in the verifier's terms. */
function signedRequest(req: IncomingMessage): Omit<SignedRequest, 'body'> {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const query: Record<string, string | string[]> = {};
  if (mark !== -1) {
    for (const [key, value] of new URLSearchParams(url.slice(mark + 1))) {
      const seen = query[key];
      query[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
  }
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values !== undefined) headers[name] = values.join(',');
  }
  return { method: req.method ?? 'POST', path: mark === -1 ? url : url.slice(0, mark), query, headers };
}
