// What the bad-input fuzz test (fuzz.test.ts) generates: requests drawn from a seeded random
// source (fuzz-ndjson.ts, fuzz-firehose.ts), each carrying the answer the README documents for
// it, so the test can check every single answer, not only that the daemon survived.

export interface FuzzLimits {
  maxRecordBytes: number;
  maxRequestBytes: number;
  /** The Firehose API's body limit (firehoseBodyLimit of the two above). */
  firehoseBodyLimit: number;
}

/** Who signs a Firehose request, and how (fuzz.test.ts signs just before sending). */
export type Signing = 'producer' | 'limited' | 'wrong-secret' | 'unknown-key' | 'tamper' | 'none' | 'garbage';

export interface FuzzCase {
  /** The family of the case, for the report. */
  kind: string;
  api: 'ndjson' | 'firehose';
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Send without Content-Length, in chunks. */
  chunked: boolean;
  signing: Signing;
  /** Expected status and error code (`error.code` or `__type`); `count` of records on success. */
  expect: { status: number; code?: string; count?: number };
}

/** Where the cases put records; the limited keys may only use the other configured stream, `other`. */
export const STREAM = 'events';
