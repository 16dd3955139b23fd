// Messages between the Parquet encoder (main thread) and an encoder thread. One object is one
// piscina task that holds a thread for the object's whole file and talks over a MessagePort of
// its own: the records go over in chunks, and each chunk's Parquet bytes (the row groups it
// completed) come back as soon as they are written, so neither thread ever holds the whole object.
// Records travel packed (src/buffer/packing.ts) and bytes come back in buffers of their own, both
// transferred, not copied.
import type { MessagePort } from 'node:worker_threads';
import type { ParquetPlan } from './schema.js';

export interface EncodeTask {
  plan: ParquetPlan;
  /** The thread's end of the object's channel (transferred with the task). */
  port: MessagePort;
}

/** Main thread → encoder thread, in this order: any number of `rows`, then `end` or `abort`. */
export type ToThread =
  /** Some of the object's records, packed, in a buffer of its own (transferred). */
  | { type: 'rows'; records: Uint8Array }
  /** No more records: write what is left and the footer. */
  | { type: 'end' }
  /** The object is abandoned: drop it. No reply. */
  | { type: 'abort' };

export interface RecordFailure {
  /** The record's position in the `rows` message it came in. */
  index: number;
  errorCode: string;
  errorMessage: string;
}

/** Encoder thread → main thread: exactly one per `rows` message and one for `end`. */
export interface Written {
  /** The file's next bytes, in a buffer of their own; null when the message completed none. */
  bytes: Uint8Array | null;
  /** The records of this message that could not be converted (none for `end`). */
  failures: RecordFailure[];
}
