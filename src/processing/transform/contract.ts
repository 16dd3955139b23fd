// Firehose's transform contract, checked the way Firehose checks a Lambda's answer: every
// input record ID exactly once, a known result, valid base64 data for Ok records, partition
// keys as a string map. Problems with single records fail those records; an answer that is
// not `{ records: [...] }` fails the whole invocation (which is then retried).
import { RESULT_DROPPED, RESULT_FAILED, RESULT_OK, type RecordFailure } from './protocol.js';

export interface FirehoseRecordResult {
  recordId?: unknown;
  result?: unknown;
  data?: unknown;
  metadata?: unknown;
}

export interface CheckedAnswer {
  results: Uint8Array;
  /** Base64 data of each Ok record (undefined for the others). */
  data: (string | undefined)[];
  partitionKeys: (Record<string, string> | null)[];
  failures: RecordFailure[];
  warnings: string[];
}

export class InvalidAnswer extends Error {}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function isBase64(text: string): boolean {
  return text.length % 4 === 0 && BASE64.test(text);
}

export function checkAnswer(recordIds: readonly string[], answer: unknown): CheckedAnswer {
  if (
    typeof answer !== 'object' ||
    answer === null ||
    !Array.isArray((answer as { records?: unknown }).records)
  ) {
    throw new InvalidAnswer('the function must return { records: [...] }');
  }
  const indexOf = new Map<string, number>();
  for (const [index, id] of recordIds.entries()) indexOf.set(id, index);
  const seen = new Uint8Array(recordIds.length);
  const results = new Uint8Array(recordIds.length).fill(RESULT_FAILED);
  const data: (string | undefined)[] = new Array(recordIds.length).fill(undefined);
  const partitionKeys: (Record<string, string> | null)[] = new Array(recordIds.length).fill(null);
  const failures: RecordFailure[] = [];
  const warnings: string[] = [];
  const fail = (index: number, errorCode: string, errorMessage: string) => {
    results[index] = RESULT_FAILED;
    data[index] = undefined;
    failures.push({ index, errorCode, errorMessage });
  };

  for (const item of (answer as { records: unknown[] }).records) {
    const record = (typeof item === 'object' && item !== null ? item : {}) as FirehoseRecordResult;
    const index = typeof record.recordId === 'string' ? indexOf.get(record.recordId) : undefined;
    if (index === undefined) {
      warnings.push(
        `the answer holds a record ID that was not in the invocation: ${String(record.recordId)}`,
      );
      continue;
    }
    seen[index] = (seen[index] ?? 0) + 1;
    if (seen[index] === 2) {
      fail(index, 'Lambda.DuplicatedRecordId', `record ID ${record.recordId} was returned more than once`);
      continue;
    }
    if (seen[index] > 2) continue;
    checkRecord(index, record, { results, data, partitionKeys, fail });
  }
  seen.forEach((count, index) => {
    if (count === 0) fail(index, 'Lambda.MissingRecordId', `record ID ${recordIds[index]} was not returned`);
  });
  return { results, data, partitionKeys, failures, warnings };
}

interface RecordSink {
  results: Uint8Array;
  data: (string | undefined)[];
  partitionKeys: (Record<string, string> | null)[];
  fail(index: number, errorCode: string, errorMessage: string): void;
}

function checkRecord(index: number, record: FirehoseRecordResult, sink: RecordSink): void {
  if (record.result === 'Dropped') {
    sink.results[index] = RESULT_DROPPED;
    return;
  }
  if (record.result === 'ProcessingFailed') {
    sink.fail(index, 'Lambda.ProcessingFailed', 'the function returned ProcessingFailed for this record');
    return;
  }
  if (record.result !== 'Ok') {
    sink.fail(
      index,
      'Lambda.InvalidResult',
      `result must be Ok, Dropped or ProcessingFailed, not ${JSON.stringify(record.result)}`,
    );
    return;
  }
  if (typeof record.data !== 'string' || !isBase64(record.data)) {
    sink.fail(index, 'Lambda.InvalidData', 'an Ok record needs its data as a base64 string');
    return;
  }
  const keys = partitionKeysOf(record.metadata);
  if (keys === 'invalid') {
    sink.fail(index, 'Lambda.InvalidPartitionKeys', 'metadata.partitionKeys must map names to strings');
    return;
  }
  sink.results[index] = RESULT_OK;
  sink.data[index] = record.data;
  sink.partitionKeys[index] = keys;
}

function partitionKeysOf(metadata: unknown): Record<string, string> | null | 'invalid' {
  if (metadata === undefined || metadata === null) return null;
  if (typeof metadata !== 'object') return 'invalid';
  const keys = (metadata as { partitionKeys?: unknown }).partitionKeys;
  if (keys === undefined || keys === null) return null;
  if (typeof keys !== 'object' || Array.isArray(keys)) return 'invalid';
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(keys)) {
    if (typeof value !== 'string') return 'invalid';
    out[name] = value;
  }
  return out;
}
