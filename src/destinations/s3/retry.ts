// Classifies an S3 failure. Throttling, server errors, timeouts and network errors are worth
// retrying soon; a missing bucket or denied access needs an operator, so it is "permanent"
// (still retried, since the batch stays buffered until delivered, but logged as such).
import type { DeliveryResult } from '../types.js';

interface S3LikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const PERMANENT_CODES = new Set([
  'NoSuchBucket',
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AllAccessDisabled',
  'AccountProblem',
  'InvalidBucketName',
  'KMS.NotFoundException',
]);

export function classifyS3Error(error: unknown): DeliveryResult {
  const e = (error ?? {}) as S3LikeError;
  const code = e.name ?? e.code ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const reason = `S3.${code}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(error)}`;
  if (PERMANENT_CODES.has(code) || status === 403) return { status: 'permanent', reason };
  if (code === 'SlowDown' || status === 503) return { status: 'retry', reason, afterMs: 1000 };
  return { status: 'retry', reason };
}
