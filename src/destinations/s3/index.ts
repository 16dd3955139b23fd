// The S3 destination: one object per batch, streamed. @aws-sdk/lib-storage sends a single
// PutObject when the object fits in one part and a multipart upload otherwise, holding at
// most `queueSize` parts in memory, so a 128 MiB batch never sits in memory whole.
import { DeleteObjectCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3DestinationConfig } from '../../config/schema.js';
import type { DeliveryResult, ObjectDestination, OutgoingObject } from '../types.js';
import { createS3Client } from './client.js';
import { classifyS3Error } from './retry.js';

const MiB = 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

export class S3Destination implements ObjectDestination {
  readonly kind = 'object';
  readonly type = 's3';
  private readonly client: S3Client;
  private closed = false;

  constructor(private readonly config: S3DestinationConfig) {
    this.client = createS3Client(config);
  }

  async put(object: OutgoingObject, signal: AbortSignal): Promise<DeliveryResult> {
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.config.bucket,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
        ...(this.config.serverSideEncryption
          ? { ServerSideEncryption: this.config.serverSideEncryption }
          : {}),
        ...(this.config.kmsKeyId ? { SSEKMSKeyId: this.config.kmsKeyId } : {}),
        ...(this.config.storageClass ? { StorageClass: this.config.storageClass } : {}),
      },
      partSize: this.config.partSizeMiB * MiB,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    const timeout = AbortSignal.timeout(this.config.requestTimeoutSeconds * 1000);
    const abort = () => void upload.abort().catch(() => undefined);
    const signals = AbortSignal.any([signal, timeout]);
    signals.addEventListener('abort', abort, { once: true });
    try {
      await upload.done();
      return { status: 'delivered' };
    } catch (error) {
      object.body.destroy();
      if (timeout.aborted) {
        return {
          status: 'retry',
          reason: `S3 upload timed out after ${this.config.requestTimeoutSeconds} s`,
        };
      }
      return classifyS3Error(error);
    } finally {
      signals.removeEventListener('abort', abort);
    }
  }

  async delete(key: string, signal: AbortSignal): Promise<DeliveryResult> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: key }), {
        abortSignal: signal,
      });
      return { status: 'delivered' };
    } catch (error) {
      return classifyS3Error(error);
    }
  }

  async healthcheck(signal: AbortSignal): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.config.bucket }), { abortSignal: signal });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
  }
}
