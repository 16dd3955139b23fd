// The Firehose-compatible API driven by the official @aws-sdk/client-firehose (real SigV4
// signing, real response and error parsing) against the daemon as a process, Redis and an
// S3-compatible server: every operation, the limits and malformed requests, partial failure of
// PutRecordBatch, and records (binary too) landing in S3 byte for byte. Authentication has its
// own file, firehose-auth.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  type PutRecordBatchCommandInput,
  PutRecordCommand,
  type PutRecordCommandInput,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { waitFor } from '../support/process.js';
import { type FirehoseStack, sdkError, startFirehoseStack } from './firehose-stack.js';
import { metricValue } from './helpers.js';

/** Random bytes with no newline, ending in one: the NDJSON output then holds them verbatim. */
function binaryRecord(size: number): Buffer {
  const bytes = randomBytes(size);
  for (let i = 0; i < bytes.length; i += 1) if (bytes[i] === 0x0a) bytes[i] = 0x0b;
  bytes[bytes.length - 1] = 0x0a;
  return bytes;
}

describe('end to end: the Firehose API with @aws-sdk/client-firehose', () => {
  let stack: FirehoseStack;

  before(async () => {
    stack = await startFirehoseStack();
  });

  after(async () => {
    await stack?.stop();
  });

  it('ListDeliveryStreams pages through the configured streams in alphabetical order', async () => {
    const first = await stack.client().send(new ListDeliveryStreamsCommand({ Limit: 2 }));
    assert.deepEqual(first.DeliveryStreamNames, ['binary', 'blocked']);
    assert.equal(first.HasMoreDeliveryStreams, true);
    const rest = await stack
      .client()
      .send(new ListDeliveryStreamsCommand({ ExclusiveStartDeliveryStreamName: 'blocked' }));
    assert.deepEqual(rest.DeliveryStreamNames, ['events']);
    assert.equal(rest.HasMoreDeliveryStreams, false);
  });

  it('DescribeDeliveryStream describes a stream as ACTIVE with its ARN, destination and buffering', async () => {
    const { DeliveryStreamDescription: d } = await stack
      .client()
      .send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'events' }));
    assert.equal(d?.DeliveryStreamARN, 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/events');
    assert.equal(d?.DeliveryStreamStatus, 'ACTIVE');
    assert.equal(d?.DeliveryStreamType, 'DirectPut');
    assert.equal(d?.HasMoreDestinations, false);
    const s3Description = d?.Destinations?.[0]?.ExtendedS3DestinationDescription;
    assert.equal(s3Description?.BucketARN, 'arn:aws:s3:::landing');
    assert.equal(s3Description?.Prefix, 'events/');
    assert.deepEqual(s3Description?.BufferingHints, { SizeInMBs: 8, IntervalInSeconds: 1 });
    assert.equal(s3Description?.CompressionFormat, 'UNCOMPRESSED');
    const missing = await sdkError(
      stack.client().send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'nope' })),
    );
    assert.deepEqual(missing, {
      name: 'ResourceNotFoundException',
      status: 400,
      message: 'Firehose nope under account 123456789012 not found.',
    });
  });

  it('PutRecord and PutRecordBatch store records that land in S3 byte for byte, binary ones too', async () => {
    const text = Buffer.from('{"event":"signup","user":"ada"}\n');
    const single = await stack
      .client()
      .send(new PutRecordCommand({ DeliveryStreamName: 'events', Record: { Data: text } }));
    assert.match(single.RecordId ?? '', /^\d+-\d+:0$/);
    assert.equal(single.Encrypted, false);

    const sent: Buffer[] = [];
    for (let batch = 0; batch < 3; batch += 1) {
      const records = Array.from({ length: 200 }, (_, i) => binaryRecord(1 + ((batch * 200 + i) % 3000)));
      const answer = await stack.client().send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'binary',
          Records: records.map((Data) => ({ Data })),
        }),
      );
      assert.equal(answer.FailedPutCount, 0);
      assert.equal(answer.RequestResponses?.length, records.length);
      // One batch is one stream entry: its record IDs share the entry ID, indexed in order.
      const entry = answer.RequestResponses?.[0]?.RecordId?.split(':')[0];
      assert.deepEqual(
        answer.RequestResponses?.map((response) => response.RecordId),
        records.map((_, i) => `${entry}:${i}`),
      );
      sent.push(...records);
    }

    const landed = await waitFor(
      async () => {
        const keys = await stack.s3.listKeys('landing', 'binary/');
        const objects = await Promise.all(keys.map((key) => stack.s3.getObject('landing', key)));
        const bytes = Buffer.concat(objects);
        return bytes.length >= Buffer.concat(sent).length ? bytes : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the binary records in S3' },
    );
    const split = (data: Buffer) => {
      const records: string[] = [];
      let start = 0;
      for (let end = data.indexOf(0x0a); end !== -1; end = data.indexOf(0x0a, start)) {
        records.push(data.subarray(start, end + 1).toString('hex'));
        start = end + 1;
      }
      return records.sort();
    };
    assert.deepEqual(split(landed), split(Buffer.concat(sent)), 'every record exactly once, byte for byte');
    const events = await waitFor(
      async () => {
        const [key] = await stack.s3.listKeys('landing', 'events/');
        return key ? stack.s3.getObject('landing', key) : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the PutRecord record in S3' },
    );
    assert.equal(events.toString(), text.toString());

    assert.equal(
      await metricValue(stack.ports.admin, 'sluice_api_records_total', {
        operation: 'PutRecordBatch',
        stream: 'binary',
      }),
      600,
    );
    assert.equal(
      await metricValue(stack.ports.admin, 'sluice_api_requests_total', {
        operation: 'PutRecordBatch',
        stream: 'binary',
      }),
      3,
    );
    assert.equal(
      await metricValue(stack.ports.admin, 'sluice_api_requests_total', {
        operation: 'PutRecord',
        stream: 'events',
      }),
      1,
    );
  });

  it('refuses each limit with InvalidArgumentException', async () => {
    const put = (records: Uint8Array[]) =>
      sdkError(
        stack.client().send(
          new PutRecordBatchCommand({
            DeliveryStreamName: 'events',
            Records: records.map((Data) => ({ Data })),
          }),
        ),
      );
    const tooBig = await sdkError(
      stack
        .client()
        .send(
          new PutRecordCommand({ DeliveryStreamName: 'events', Record: { Data: new Uint8Array(1_024_001) } }),
        ),
    );
    assert.equal(tooBig.name, 'InvalidArgumentException');
    assert.equal(tooBig.status, 400);
    assert.match(
      tooBig.message,
      /'record\.data' failed to satisfy constraint: Member must have length less than or equal to 1024000$/,
    );
    assert.match(
      (await put([new Uint8Array(10), new Uint8Array(1_024_001)])).message,
      /records\.2\.member\.data/,
    );

    const tooMany = await put(Array.from({ length: 501 }, () => new Uint8Array(1)));
    assert.equal(tooMany.name, 'InvalidArgumentException');
    assert.match(tooMany.message, /Member must have length less than or equal to 500$/);

    // Five records of 1,000,000 bytes: each within the record limit, together over 4 MiB.
    const tooLarge = await put(Array.from({ length: 5 }, () => new Uint8Array(1_000_000)));
    assert.deepEqual(tooLarge, {
      name: 'InvalidArgumentException',
      status: 400,
      message: 'Records size exceeds 4 MB limit',
    });
    // Four of them (3.8 MiB) are fine.
    const fits = await stack.client().send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'events',
        Records: Array.from({ length: 4 }, () => ({ Data: Buffer.alloc(1_000_000, 0x61) })),
      }),
    );
    assert.equal(fits.FailedPutCount, 0);

    // Missing members: the SDK does not check them, Sluice does.
    const noRecord = await sdkError(
      stack
        .client()
        .send(new PutRecordCommand({ DeliveryStreamName: 'events' } as unknown as PutRecordCommandInput)),
    );
    assert.equal(noRecord.name, 'InvalidArgumentException');
    assert.match(
      noRecord.message,
      /^1 validation error detected: Value null at 'record' failed to satisfy constraint: Member must not be null$/,
    );
    const noName = await sdkError(
      stack.client().send(
        new PutRecordBatchCommand({
          Records: [{ Data: new Uint8Array(1) }],
        } as unknown as PutRecordBatchCommandInput),
      ),
    );
    assert.match(noName.message, /Value null at 'deliveryStreamName'/);
  });

  it('refuses bad base64, malformed JSON and unknown operations, still signed by the SDK', async () => {
    // The body is rewritten before the SDK signs it (the build step precedes signing).
    const rewriting = (rewrite: (body: string) => string) => {
      const c = stack.client();
      c.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { body: string | Uint8Array; headers: Record<string, string> };
          // The SDK's JSON body is a Uint8Array; read its bytes, not its string methods.
          const body =
            typeof request.body === 'string'
              ? request.body
              : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength).toString();
          request.body = rewrite(body);
          request.headers['content-length'] = String(Buffer.byteLength(request.body));
          return next(args);
        },
        { step: 'build', name: 'rewriteBody' },
      );
      return c;
    };
    const data = Buffer.from('hello, base64').toString('base64');
    for (const bad of [
      data.replace('=', ''),
      `${data.slice(0, 4)} ${data.slice(5)}`,
      data.replace(/[+/]/, '-').replace('aGVs', 'aG_s'),
    ]) {
      const error = await sdkError(
        rewriting((body) => body.replace(data, bad)).send(
          new PutRecordCommand({
            DeliveryStreamName: 'events',
            Record: { Data: Buffer.from('hello, base64') },
          }),
        ),
      );
      assert.equal(error.name, 'InvalidArgumentException', bad);
      assert.match(
        error.message,
        /'record\.data' failed to satisfy constraint: Member must be base64-encoded/,
      );
    }
    const malformed = await sdkError(
      rewriting((body) => body.slice(0, -1)).send(new ListDeliveryStreamsCommand({})),
    );
    assert.equal(malformed.name, 'SerializationException');
    assert.equal(malformed.status, 400);
    const unknown = await sdkError(
      stack.client().send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'new' })),
    );
    assert.equal(unknown.name, 'UnknownOperationException');
    assert.match(unknown.message, /Unknown or unsupported operation Firehose_20150804\.CreateDeliveryStream/);
  });

  it('answers plain HTTP requests in the JSON 1.1 error shape', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${stack.endpoint}/`, { method: 'POST', headers, body });
    const target = { 'x-amz-target': 'Firehose_20150804.ListDeliveryStreams' };
    const unsigned = await post(target, '{}');
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.equal(unsigned.headers.get('content-type'), 'application/x-amz-json-1.1');
    assert.match(unsigned.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(await unsigned.json(), {
      __type: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
    const noTarget = await post({}, '{}');
    assert.equal(noTarget.status, 400);
    assert.equal(((await noTarget.json()) as { __type: string }).__type, 'UnknownOperationException');
    const get = await fetch(`${stack.endpoint}/`);
    assert.equal(get.status, 400);
    assert.equal(get.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    // The Authorization header is checked before the body is read.
    const huge = await post(
      { ...target, authorization: 'AWS4-HMAC-SHA256 Credential=x' },
      'x'.repeat(12 * 1024 * 1024),
    );
    assert.equal(huge.status, 400);
    assert.equal(huge.headers.get('x-amzn-errortype'), 'IncompleteSignatureException');
    // A signed body larger than any valid request (10 MB of records) is refused unread.
    const tooLong = await sdkError(
      stack.client().send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'events',
          Records: Array.from({ length: 10 }, () => ({ Data: new Uint8Array(1_000_000) })),
        }),
      ),
    );
    assert.equal(tooLong.name, 'InvalidArgumentException');
    assert.match(tooLong.message, /^The request body exceeds \d+ bytes/);
  });

  it('fails every record of a PutRecordBatch with ServiceUnavailableException while the backlog is full', async () => {
    const acked = new Set<string>();
    let refused = false;
    for (let request = 0; request < 20 && !refused; request += 1) {
      const records = Array.from({ length: 500 }, (_, i) =>
        Buffer.from(`${JSON.stringify({ id: `b-${request}-${i}`, pad: 'p'.repeat(600) })}\n`),
      );
      const answer = await stack.client().send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'blocked',
          Records: records.map((Data) => ({ Data })),
        }),
      );
      assert.equal(answer.RequestResponses?.length, 500);
      if (answer.FailedPutCount === 0) {
        for (const record of records) acked.add(record.toString());
      } else {
        assert.equal(answer.FailedPutCount, 500, 'one batch is one entry: all of it fails or none');
        for (const response of answer.RequestResponses ?? []) {
          assert.deepEqual(response, {
            ErrorCode: 'ServiceUnavailableException',
            ErrorMessage: 'Slow down.',
          });
        }
        refused = true;
      }
    }
    assert.ok(refused, 'the 1 MiB backlog filled up');
    // As large as a batch: a small record could still fit under the limit.
    const single = await sdkError(
      stack.client().send(
        new PutRecordCommand({
          DeliveryStreamName: 'blocked',
          Record: { Data: Buffer.alloc(400_000, 0x61) },
        }),
      ),
    );
    assert.deepEqual(single, { name: 'ServiceUnavailableException', status: 503, message: 'Slow down.' });

    // Once the destination exists the backlog drains: exactly the acked records arrive.
    await stack.s3.client.send(new CreateBucketCommand({ Bucket: 'late' }));
    const delivered = await waitFor(
      async () => {
        const keys = await stack.s3.listKeys('late', 'blocked/');
        const text = Buffer.concat(
          await Promise.all(keys.map((key) => stack.s3.getObject('late', key))),
        ).toString();
        const lines = text.split('\n').filter(Boolean);
        return lines.length >= acked.size ? lines : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the blocked stream to drain' },
    );
    assert.deepEqual(new Set(delivered.map((line) => `${line}\n`)), acked);
    assert.equal(delivered.length, acked.size);
  });
});
