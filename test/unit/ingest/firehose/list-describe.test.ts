// ListDeliveryStreams and DescribeDeliveryStream: the configured streams in Firehose's shapes,
// with its paging, and only the streams a limited key may use.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../../../src/config/load.js';
import { ANONYMOUS, type Caller } from '../../../../src/ingest/auth/keys.js';
import type { ApiCall, FirehoseContext } from '../../../../src/ingest/firehose/context.js';
import { describeDeliveryStream } from '../../../../src/ingest/firehose/describe-delivery-stream.js';
import { FirehoseError } from '../../../../src/ingest/firehose/errors.js';
import { listDeliveryStreams } from '../../../../src/ingest/firehose/list-delivery-streams.js';
import { Ingestor } from '../../../../src/ingest/ingestor.js';
import { Metrics } from '../../../../src/telemetry/metrics.js';

const { config } = parseConfigText(
  `auth: { mode: none }
ingest:
  firehose: { region: eu-west-1, accountId: "123456789012" }
streams:
  zeta:
    buffering: { sizeMiB: 64, intervalSeconds: 60 }
    compression: gzip
    destination: { type: s3, bucket: landing, prefix: "zeta/" }
  alpha:
    compression: zstd
    destination: { type: file, directory: ./landing }
  Mid.stream_1:
    destination: { type: s3, bucket: other }
`,
  'test.yaml',
  {},
);

const ctx: FirehoseContext = {
  ingestor: new Ingestor(new Map(), new Metrics(async () => new Map()), () => undefined),
  streams: new Map(Object.entries(config.streams)),
  baseDir: '/srv/sluice',
  identity: config.ingest.firehose,
  maxRecordBytes: 1_024_000,
  maxBatchBytes: 4 * 1024 * 1024,
};

function call(): ApiCall {
  return { operation: 'unknown', stream: '', records: 0, bytes: 0 };
}

async function list(input: Record<string, unknown>, caller: Caller = ANONYMOUS) {
  return (await listDeliveryStreams(ctx, caller, input, call())) as {
    DeliveryStreamNames: string[];
    HasMoreDeliveryStreams: boolean;
  };
}

describe('ListDeliveryStreams', () => {
  it('lists the configured streams in alphabetical order, 10 by default', async () => {
    assert.deepEqual(await list({}), {
      DeliveryStreamNames: ['Mid.stream_1', 'alpha', 'zeta'],
      HasMoreDeliveryStreams: false,
    });
  });

  it('pages with Limit and ExclusiveStartDeliveryStreamName', async () => {
    assert.deepEqual(await list({ Limit: 2 }), {
      DeliveryStreamNames: ['Mid.stream_1', 'alpha'],
      HasMoreDeliveryStreams: true,
    });
    assert.deepEqual(await list({ Limit: 2, ExclusiveStartDeliveryStreamName: 'alpha' }), {
      DeliveryStreamNames: ['zeta'],
      HasMoreDeliveryStreams: false,
    });
    // A name that is not a stream still marks a place in the order.
    assert.deepEqual((await list({ ExclusiveStartDeliveryStreamName: 'b' })).DeliveryStreamNames, ['zeta']);
  });

  it('lists every stream for DirectPut and none for other source types', async () => {
    assert.equal((await list({ DeliveryStreamType: 'DirectPut' })).DeliveryStreamNames.length, 3);
    assert.deepEqual((await list({ DeliveryStreamType: 'KinesisStreamAsSource' })).DeliveryStreamNames, []);
  });

  it('shows a limited key only its streams', async () => {
    const caller: Caller = { keyId: 'k', streams: new Set(['zeta', 'alpha']) };
    assert.deepEqual((await list({}, caller)).DeliveryStreamNames, ['alpha', 'zeta']);
  });

  it('refuses a Limit out of range and an unknown stream type', async () => {
    for (const [input, message] of [
      [
        { Limit: 0 },
        /Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1/,
      ],
      [{ Limit: 10001 }, /less than or equal to 10000/],
      [{ DeliveryStreamType: 'Kafka' }, /at 'deliveryStreamType' .*enum value set: \[DirectPut, /],
    ] as const) {
      await assert.rejects(list(input), (error: unknown) => {
        assert.ok(error instanceof FirehoseError);
        assert.equal(error.type, 'InvalidArgumentException');
        assert.match(error.message, message);
        return true;
      });
    }
    await assert.rejects(list({ Limit: '5' }), /Limit must be an integer, not a string/);
  });
});

describe('DescribeDeliveryStream', () => {
  it('describes an s3 stream as Firehose describes an extended S3 one', async () => {
    const answer = await describeDeliveryStream(ctx, ANONYMOUS, { DeliveryStreamName: 'zeta' }, call());
    const s3 = {
      BucketARN: 'arn:aws:s3:::landing',
      Prefix: 'zeta/',
      BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 },
      CompressionFormat: 'GZIP',
      EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
      CloudWatchLoggingOptions: { Enabled: false },
    };
    const description = JSON.parse(JSON.stringify(answer)).DeliveryStreamDescription;
    const destination = description.Destinations[0];
    delete destination.ExtendedS3DestinationDescription.ErrorOutputPrefix;
    delete destination.S3DestinationDescription.ErrorOutputPrefix;
    assert.deepEqual(description, {
      DeliveryStreamName: 'zeta',
      DeliveryStreamARN: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/zeta',
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
      VersionId: '1',
      Destinations: [
        {
          DestinationId: 'destinationId-000000000001',
          ExtendedS3DestinationDescription: {
            ...s3,
            S3BackupMode: 'Disabled',
            DataFormatConversionConfiguration: { Enabled: false },
          },
          S3DestinationDescription: s3,
        },
      ],
      HasMoreDestinations: false,
    });
  });

  it('describes a file stream with its directory as the bucket, and zstd as ZSTD', async () => {
    const answer = (await describeDeliveryStream(
      ctx,
      ANONYMOUS,
      { DeliveryStreamName: 'alpha' },
      call(),
    )) as {
      DeliveryStreamDescription: {
        Destinations: { ExtendedS3DestinationDescription: Record<string, unknown> }[];
      };
    };
    const extended = answer.DeliveryStreamDescription.Destinations[0]?.ExtendedS3DestinationDescription;
    assert.equal(extended?.BucketARN, 'file:///srv/sluice/landing');
    assert.equal(extended?.CompressionFormat, 'ZSTD');
    assert.deepEqual(extended?.BufferingHints, { SizeInMBs: 5, IntervalInSeconds: 300 });
  });

  it('pages destinations after ExclusiveStartDestinationId', async () => {
    const input = { DeliveryStreamName: 'alpha', ExclusiveStartDestinationId: 'destinationId-000000000001' };
    const answer = (await describeDeliveryStream(ctx, ANONYMOUS, input, call())) as {
      DeliveryStreamDescription: { Destinations: unknown[] };
    };
    assert.deepEqual(answer.DeliveryStreamDescription.Destinations, []);
  });

  it('refuses an unknown stream, a missing name and a stream the key may not use', async () => {
    const refused = async (input: Record<string, unknown>, caller: Caller = ANONYMOUS) => {
      try {
        await describeDeliveryStream(ctx, caller, input, call());
      } catch (error) {
        assert.ok(error instanceof FirehoseError);
        return error;
      }
      assert.fail('expected a refusal');
    };
    const missing = await refused({ DeliveryStreamName: 'nope' });
    assert.equal(missing.type, 'ResourceNotFoundException');
    assert.equal(missing.message, 'Firehose nope under account 123456789012 not found.');
    assert.equal((await refused({})).type, 'InvalidArgumentException');
    const denied = await refused({ DeliveryStreamName: 'zeta' }, { keyId: 'k', streams: new Set(['alpha']) });
    assert.equal(denied.type, 'AccessDeniedException');
    assert.match(
      denied.message,
      /firehose:DescribeDeliveryStream on resource: arn:aws:firehose:eu-west-1:123456789012:deliverystream\/zeta$/,
    );
  });
});
