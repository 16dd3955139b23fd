// DescribeDeliveryStream: a configured stream in Firehose's DeliveryStreamDescription shape,
// always ACTIVE, DirectPut, VersionId "1", one destination with the ID AWS gives a stream's
// first destination ("destinationId-000000000001"). Like AWS for an extended S3 stream, the
// destination is described twice, as ExtendedS3DestinationDescription and as the older
// S3DestinationDescription (firehose.md §1, the AWS answer recorded by LocalStack).
//
// Both Sluice destinations take that shape, since the file destination writes the keys an S3
// destination would, as paths under its directory: an s3 destination's BucketARN is
// `arn:aws:s3:::<bucket>`; a file destination's is the directory's file:// URL. Members with
// nothing behind them in Sluice (RoleARN, CreateTimestamp) are left out; zstd, which Firehose
// does not offer, is described as CompressionFormat "ZSTD".
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompressionName, StreamConfig } from '../../config/schema.js';
import { type FirehoseContext, type OperationHandler, streamArn } from './context.js';
import { checkStream } from './records.js';
import { integerMember, optionalString, streamNameMember, Violations } from './validate.js';

export const DESTINATION_ID = 'destinationId-000000000001';

const COMPRESSION_FORMATS: Record<CompressionName, string> = {
  none: 'UNCOMPRESSED',
  gzip: 'GZIP',
  zstd: 'ZSTD',
};

export const describeDeliveryStream: OperationHandler = async (ctx, caller, input, call) => {
  const violations = new Violations();
  const stream = streamNameMember(input, 'DeliveryStreamName', 'deliveryStreamName', violations, true);
  integerMember(input, 'Limit', 'limit', violations, 1, 10000);
  const after = optionalString(input, 'ExclusiveStartDestinationId');
  if (after !== undefined && (after.length < 1 || after.length > 100)) {
    violations.add(
      'exclusiveStartDestinationId',
      after.slice(0, 100),
      'Member must have length between 1 and 100',
    );
  }
  violations.check();
  const name = stream as string;
  checkStream(ctx, caller, name, 'DescribeDeliveryStream', call);
  const config = ctx.streams.get(name) as StreamConfig;
  const destinations =
    after === undefined || DESTINATION_ID > after ? [describeDestination(ctx, config)] : [];
  return {
    DeliveryStreamDescription: {
      DeliveryStreamName: name,
      DeliveryStreamARN: streamArn(ctx, name),
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
      VersionId: '1',
      Destinations: destinations,
      HasMoreDestinations: false,
    },
  };
};

function describeDestination(ctx: FirehoseContext, config: StreamConfig): Record<string, unknown> {
  const destination = config.destination;
  const bucketArn =
    destination.type === 's3'
      ? `arn:aws:s3:::${destination.bucket}`
      : pathToFileURL(resolve(ctx.baseDir, destination.directory)).href;
  // Read loosely: the error output prefix is a newer option of the destinations.
  const errorOutputPrefix = (destination as { errorOutputPrefix?: string }).errorOutputPrefix;
  const s3 = {
    BucketARN: bucketArn,
    Prefix: destination.prefix,
    ErrorOutputPrefix: errorOutputPrefix,
    BufferingHints: {
      SizeInMBs: config.buffering.sizeMiB,
      IntervalInSeconds: config.buffering.intervalSeconds,
    },
    CompressionFormat: COMPRESSION_FORMATS[config.compression],
    EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
    CloudWatchLoggingOptions: { Enabled: false },
  };
  return {
    DestinationId: DESTINATION_ID,
    ExtendedS3DestinationDescription: {
      ...s3,
      S3BackupMode: 'Disabled',
      DataFormatConversionConfiguration: { Enabled: false },
    },
    S3DestinationDescription: s3,
  };
}
