// Messages between the Parquet encoder (main thread) and an encoder thread. The records travel
// packed (src/buffer/packing.ts) in one transferred buffer, and the file comes back the same way.
import type { ParquetPlan } from './schema.js';

export interface EncodeTask {
  plan: ParquetPlan;
  /** The object's records, packed, in a buffer of its own (it is transferred). */
  records: Uint8Array;
}

export interface RecordFailure {
  /** The record's position in the task's records. */
  index: number;
  errorCode: string;
  errorMessage: string;
}

export interface EncodeReply {
  /** The Parquet file; null when no record could be converted. */
  file: Uint8Array | null;
  rows: number;
  failures: RecordFailure[];
}
