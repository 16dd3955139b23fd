// Builds the S3 client for a destination. Against an S3-compatible endpoint, checksums are
// only sent when an operation requires them: some stores (and the s3rver test server) store
// the aws-chunked framing of streamed checksummed bodies as object data (limits.md §2d).
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3DestinationConfig } from '../../config/schema.js';

export function createS3Client(config: S3DestinationConfig): S3Client {
  const options: S3ClientConfig = {
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    // Retries are Sluice's (shared, per batch, with backoff); one SDK retry covers blips.
    maxAttempts: 2,
  };
  if (config.endpoint) {
    options.endpoint = config.endpoint;
    options.requestChecksumCalculation = 'WHEN_REQUIRED';
    options.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  if (config.credentials) options.credentials = config.credentials;
  return new S3Client(options);
}
