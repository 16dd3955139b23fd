// The two kinds of destination (DESIGN.md section 4). Object stores take one encoded,
// compressed object per batch; record stores (OpenSearch, PostgreSQL: later issues) take
// records and may fail some of them. Destinations push and classify the answer; retries,
// backoff and the error output are shared machinery (src/delivery), not theirs.
import type { Readable } from 'node:stream';

export interface FailedRecord {
  recordId: string;
  reason: string;
}

export type DeliveryResult =
  | { status: 'delivered' }
  | { status: 'retry'; reason: string; afterMs?: number }
  | { status: 'partial'; retry: number[]; failed: FailedRecord[] }
  | { status: 'permanent'; reason: string };

export interface OutgoingObject {
  key: string;
  body: Readable;
  contentType: string;
}

interface DestinationBase {
  /** The config's destination type, used as the `destination` metric label. */
  readonly type: string;
  /** Throws when the destination cannot be reached or written (for /readyz and start-up). */
  healthcheck(signal: AbortSignal): Promise<void>;
  /** Releases connections. Safe before use and safe twice. */
  close(): Promise<void>;
}

export interface ObjectDestination extends DestinationBase {
  readonly kind: 'object';
  /** Writes the object; idempotent: writing the same key again replaces it whole. */
  put(object: OutgoingObject, signal: AbortSignal): Promise<DeliveryResult>;
  /** Removes an object written by an earlier attempt of a batch; absent objects are fine. */
  delete(key: string, signal: AbortSignal): Promise<DeliveryResult>;
}

export interface RecordBatch {
  records: { recordId: string; data: Buffer; arrivalMs: number }[];
}

export interface RecordDestination extends DestinationBase {
  readonly kind: 'records';
  deliver(batch: RecordBatch, signal: AbortSignal): Promise<DeliveryResult>;
}

export type Destination = ObjectDestination | RecordDestination;
