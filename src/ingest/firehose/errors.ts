// Errors of the Firehose-compatible API, in AWS JSON 1.1's shape: the body
// `{"__type": "<Name>", "message": "..."}` plus the `x-amzn-ErrorType` header, which the AWS
// SDKs read first (firehose.md §1, "How @aws-sdk/client-firehose (v3) parses errors").
// Statuses: Firehose's model gives ServiceUnavailableException 503 (a server fault, which SDKs
// retry) and makes the rest client errors (400). The authentication errors are AWS's common
// ones; MissingAuthenticationTokenException is 403 as AWS answers an unsigned request.
import type { ServerResponse } from 'node:http';
import type { AuthFailureReason } from '../auth/keys.js';

export const firehoseErrorStatus = {
  InvalidArgumentException: 400,
  ResourceNotFoundException: 400,
  ServiceUnavailableException: 503,
  // Body that is not JSON, or a member of the wrong JSON type (Smithy's malformed-request rule).
  SerializationException: 400,
  UnknownOperationException: 400,
  InternalFailure: 500,
  AccessDeniedException: 400,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 400,
  InvalidSignatureException: 400,
  UnrecognizedClientException: 400,
} as const satisfies Record<string, number>;

export type FirehoseErrorType = keyof typeof firehoseErrorStatus;

/** The message Firehose gives a throttled record or request (boto/boto3#2804). */
export const SLOW_DOWN = 'Slow down.';

export class FirehoseError extends Error {
  readonly status: number;

  constructor(
    readonly type: FirehoseErrorType,
    message: string,
    /** Set when the error refuses a caller: the `reason` label of sluice_auth_failures_total. */
    readonly authFailure?: AuthFailureReason,
  ) {
    super(message);
    this.name = 'FirehoseError';
    this.status = firehoseErrorStatus[type];
  }
}

export const JSON_11 = 'application/x-amz-json-1.1';

/** Sends a JSON 1.1 answer; every answer carries the request ID the SDKs put in $metadata. */
export function sendFirehoseJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_11,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  res.end(text);
}

export function sendFirehoseError(res: ServerResponse, error: FirehoseError, requestId: string): void {
  res.setHeader('x-amzn-errortype', error.type);
  sendFirehoseJson(res, error.status, { __type: error.type, message: error.message }, requestId);
}

/** Firehose's validation message: `N validation error(s) detected: <each>; <each>`. */
export function validationError(problems: readonly string[]): FirehoseError {
  // AWS lists every problem; past ten the message says how many more rather than grow unbounded.
  const shown = problems.slice(0, 10);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
  const count = `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected`;
  return new FirehoseError('InvalidArgumentException', `${count}: ${shown.join('; ')}${more}`);
}
