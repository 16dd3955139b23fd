// Messages between the delivery worker (main thread) and a transform thread. Record data
// travels packed (src/buffer/packing.ts) in one transferable buffer each way, so a thread
// invocation costs two copies of the data, not one object per record.

export interface InvokeTask {
  kind: 'invoke';
  moduleUrl: string;
  handler: string;
  invocationId: string;
  deliveryStreamArn: string;
  region: string;
  timeoutMs: number;
  /** The input records, packed. */
  records: Uint8Array;
  recordIds: string[];
  arrivals: number[];
}

export interface ProbeTask {
  kind: 'probe';
  moduleUrl: string;
  handler: string;
}

export type ThreadTask = InvokeTask | ProbeTask;

export const RESULT_OK = 0;
export const RESULT_DROPPED = 1;
export const RESULT_FAILED = 2;

export interface RecordFailure {
  index: number;
  errorCode: string;
  errorMessage: string;
}

export type InvokeReply =
  | {
      ok: true;
      /** Per input record: RESULT_OK, RESULT_DROPPED or RESULT_FAILED. */
      results: Uint8Array;
      /** The data of the Ok records, packed, in input order. */
      output: Uint8Array;
      /** Per input record: its partition keys, when the function returned any. */
      partitionKeys: (Record<string, string> | null)[];
      failures: RecordFailure[];
      /** Problems with the answer that failed no record (e.g. unknown record IDs). */
      warnings: string[];
    }
  | { ok: false; errorCode: string; errorMessage: string };

export type ProbeReply = { ok: true } | { ok: false; errorMessage: string };
