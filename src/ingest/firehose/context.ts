// What the Firehose operations work with: the ingestor, the configured streams, the limits,
// and the identity (region, account) the API presents. Also the per-request record that the
// protocol layer turns into metrics once the answer is sent.
import type { FirehoseApiConfig } from '../../config/firehose-schema.js';
import { deliveryStreamArn } from '../../config/firehose-schema.js';
import type { StreamConfig } from '../../config/schema.js';
import type { Caller } from '../auth/keys.js';
import type { Ingestor } from '../ingestor.js';
import type { JsonObject } from './validate.js';

export interface FirehoseContext {
  ingestor: Ingestor;
  streams: ReadonlyMap<string, StreamConfig>;
  /** Relative `file` destination directories are resolved from here (the config's folder). */
  baseDir: string;
  identity: FirehoseApiConfig;
  /** Largest decoded record (ingest.maxRecordBytes; Firehose: 1,024,000). */
  maxRecordBytes: number;
  /** Largest sum of decoded records in one PutRecordBatch (ingest.maxRequestBytes; Firehose: 4 MiB). */
  maxBatchBytes: number;
}

/** The operations Sluice serves; any other X-Amz-Target is an UnknownOperationException. */
export const OPERATIONS = [
  'PutRecord',
  'PutRecordBatch',
  'ListDeliveryStreams',
  'DescribeDeliveryStream',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Filled in by an operation as it learns them; read for the metrics of the request. */
export interface ApiCall {
  operation: Operation | 'unknown';
  /** A configured stream the request named, else ''. */
  stream: string;
  records: number;
  bytes: number;
}

export type OperationHandler = (
  ctx: FirehoseContext,
  caller: Caller,
  input: JsonObject,
  call: ApiCall,
) => Promise<unknown>;

export function streamArn(ctx: FirehoseContext, stream: string): string {
  return deliveryStreamArn(ctx.identity, stream);
}
