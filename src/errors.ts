// Every error Sluice reports to a client or a log is created from this table, with a stable
// code, an HTTP status and whether retrying the same request may succeed. The README's
// "Errors" table is checked against it by test/unit/errors.test.ts. (The Firehose-compatible API
// answers in AWS's own error shapes instead: src/ingest/firehose/errors.ts.)

export const errorCodes = {
  StreamNotFound: {
    status: 404,
    retryable: false,
    summary: 'The delivery stream is not in the configuration.',
  },
  RouteNotFound: { status: 404, retryable: false, summary: 'No such endpoint.' },
  Unauthorized: {
    status: 401,
    retryable: false,
    summary: 'auth.mode is keys and the request has no valid `Authorization: Bearer <key>` (auth.apiKeys).',
  },
  AccessDenied: {
    status: 403,
    retryable: false,
    summary: 'The API key may only put to other streams (its `streams` list).',
  },
  MethodNotAllowed: {
    status: 405,
    retryable: false,
    summary: 'The endpoint does not take this HTTP method.',
  },
  MalformedRequest: {
    status: 400,
    retryable: false,
    summary: 'The HTTP request could not be parsed; the connection is closed.',
  },
  HeadersTooLarge: {
    status: 431,
    retryable: false,
    summary: 'The request line and headers exceed 16 KiB; the connection is closed.',
  },
  RequestTimeout: {
    status: 408,
    retryable: false,
    summary:
      'The headers (ingest.headersTimeoutSeconds) or the whole request (ingest.requestTimeoutSeconds) arrived too slowly; nothing was stored and the connection is closed.',
  },
  EmptyRequest: { status: 400, retryable: false, summary: 'The request body holds no record.' },
  InvalidJson: {
    status: 400,
    retryable: false,
    summary:
      'A line of an NDJSON body is not valid JSON (or the body is not UTF-8); nothing of the request was stored.',
  },
  RequestTooLarge: {
    status: 413,
    retryable: false,
    summary: 'The request body is larger than ingest.maxRequestBytes.',
  },
  RecordTooLarge: {
    status: 413,
    retryable: false,
    summary: 'A record is larger than ingest.maxRecordBytes.',
  },
  BacklogFull: {
    status: 503,
    retryable: true,
    summary: "The stream's undelivered backlog reached maxBacklogMiB; retry later (Retry-After is set).",
  },
  BufferUnavailable: {
    status: 503,
    retryable: true,
    summary: 'Redis did not accept the records; nothing was stored.',
  },
  OutcomeUnknown: {
    status: 503,
    retryable: true,
    summary:
      'The connection to Redis broke while the records were being stored: they may or may not be stored, and a retry may store them twice.',
  },
  NotReplicated: {
    status: 503,
    retryable: true,
    summary:
      'ingest.durability is replicated and fewer than ingest.replicas replicas confirmed the records within ingest.replicaTimeoutMs. The records may be stored (and delivered); a retry may store them twice.',
  },
  Overloaded: {
    status: 503,
    retryable: true,
    summary: 'Request bodies in memory reached ingest.maxInflightMiB; nothing was stored, retry later.',
  },
  ShuttingDown: {
    status: 503,
    retryable: true,
    summary: 'The daemon is stopping; retry on another node or later.',
  },
} as const satisfies Record<string, { status: number; retryable: boolean; summary: string }>;

export type ErrorCode = keyof typeof errorCodes;

export class SluiceError extends Error {
  readonly status: number;
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SluiceError';
    this.status = errorCodes[code].status;
    this.retryable = errorCodes[code].retryable;
  }
}
