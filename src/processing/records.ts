// Records as they move from the buffer through processing to the encoder.
import type { Batch } from '../buffer/batch.js';
import { recordId } from '../buffer/batch.js';
import type { StreamBuffer } from '../buffer/stream-buffer.js';
import type { ErrorOutputType } from '../delivery/prefix.js';

/** A record read back from the buffer, as it was put. */
export interface SourceRecord {
  recordId: string;
  data: Buffer;
  arrivalMs: number;
}

/** A record ready for encoding: its (possibly transformed) data and its partition keys. */
export interface OutputRecord {
  recordId: string;
  data: Buffer;
  arrivalMs: number;
  partitionKeys?: Record<string, string>;
}

/** A record on its way to the error output, and why. */
export interface RecordFailure {
  type: ErrorOutputType;
  recordId: string;
  arrivalMs: number;
  attemptsMade: number;
  errorCode: string;
  errorMessage: string;
  attemptEndingMs: number;
  /** The bytes that failed, when they differ from the record as put (which is re-read then). */
  data?: Buffer;
}

/** A record that failed a step tried once (format conversion, partitioning): its bytes kept. */
export function failedOnce(
  type: ErrorOutputType,
  record: OutputRecord,
  errorCode: string,
  errorMessage: string,
): RecordFailure {
  return {
    type,
    recordId: record.recordId,
    arrivalMs: record.arrivalMs,
    attemptsMade: 1,
    errorCode,
    errorMessage,
    attemptEndingMs: Date.now(),
    data: record.data,
  };
}

/** The batch's records, page by page (see StreamBuffer.readBatch). */
export async function* readRecords(buffer: StreamBuffer, batch: Batch): AsyncGenerator<SourceRecord[]> {
  for await (const entries of buffer.readBatch(batch)) {
    const page: SourceRecord[] = [];
    for (const entry of entries) {
      const arrivalMs = Number(entry.entryId.slice(0, entry.entryId.indexOf('-')));
      entry.records.forEach((data, index) => {
        page.push({ recordId: recordId(entry.entryId, index), data, arrivalMs });
      });
    }
    yield page;
  }
}
