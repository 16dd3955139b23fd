// Request validation of the Firehose operations: every limit and malformed input is refused
// with the error type and AWS-worded message a client sees, before anything is stored. (The
// successful paths run against Redis in test/e2e/firehose-api.test.ts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../../../src/config/load.js';
import { ANONYMOUS, type Caller } from '../../../../src/ingest/auth/keys.js';
import type { ApiCall, FirehoseContext, OperationHandler } from '../../../../src/ingest/firehose/context.js';
import { FirehoseError } from '../../../../src/ingest/firehose/errors.js';
import { firehoseBodyLimit } from '../../../../src/ingest/firehose/protocol.js';
import { putRecord } from '../../../../src/ingest/firehose/put-record.js';
import { putRecordBatch } from '../../../../src/ingest/firehose/put-record-batch.js';
import { parseJsonObject } from '../../../../src/ingest/firehose/validate.js';
import { Ingestor } from '../../../../src/ingest/ingestor.js';
import { Metrics } from '../../../../src/telemetry/metrics.js';

const { config } = parseConfigText(
  'auth: { mode: none }\nstreams:\n  events:\n    destination: { type: file, directory: out }\n  other:\n    destination: { type: file, directory: out }\n',
  'test.yaml',
  {},
);

/** A context whose ingestor has no stream: a request that got as far as storing would fail loudly. */
function context(
  limits: Partial<Pick<FirehoseContext, 'maxRecordBytes' | 'maxBatchBytes'>> = {},
): FirehoseContext {
  return {
    ingestor: new Ingestor(new Map(), new Metrics(async () => new Map()), () => undefined),
    streams: new Map(Object.entries(config.streams)),
    baseDir: '/srv/sluice',
    identity: config.ingest.firehose,
    maxRecordBytes: limits.maxRecordBytes ?? 1_024_000,
    maxBatchBytes: limits.maxBatchBytes ?? 4 * 1024 * 1024,
  };
}

async function refusal(
  handler: OperationHandler,
  input: unknown,
  ctx = context(),
  caller: Caller = ANONYMOUS,
): Promise<FirehoseError> {
  const call: ApiCall = { operation: 'unknown', stream: '', records: 0, bytes: 0 };
  try {
    await handler(ctx, caller, input as Record<string, unknown>, call);
  } catch (error) {
    assert.ok(error instanceof FirehoseError, `expected a FirehoseError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to be refused');
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('PutRecord validation', () => {
  it('missing members, all listed in one InvalidArgumentException', async () => {
    const error = await refusal(putRecord, {});
    assert.equal(error.type, 'InvalidArgumentException');
    assert.equal(error.status, 400);
    assert.equal(
      error.message,
      "2 validation errors detected: Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'record' failed to satisfy constraint: Member must not be null",
    );
    const noData = await refusal(putRecord, { DeliveryStreamName: 'events', Record: {} });
    assert.equal(
      noData.message,
      "1 validation error detected: Value null at 'record.data' failed to satisfy constraint: Member must not be null",
    );
  });

  it('a record over maxRecordBytes, counted after base64 decoding', async () => {
    const ctx = context({ maxRecordBytes: 10 });
    const over = await refusal(
      putRecord,
      { DeliveryStreamName: 'events', Record: { Data: b64('x'.repeat(11)) } },
      ctx,
    );
    assert.equal(
      over.message,
      "1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 10",
    );
    // 10 bytes are 16 characters of base64: within the limit, so the request gets as far as storing.
    const within = await refusal(
      putRecord,
      { DeliveryStreamName: 'nope', Record: { Data: b64('x'.repeat(10)) } },
      ctx,
    );
    assert.equal(within.type, 'ResourceNotFoundException');
  });

  it('stream names that break Firehose rules', async () => {
    const cases: [string, RegExp][] = [
      ['', /Value '' at 'deliveryStreamName' .*greater than or equal to 1/],
      ['x'.repeat(65), /less than or equal to 64/],
      [
        'my stream',
        /Value 'my stream' at 'deliveryStreamName' .*regular expression pattern: \[a-zA-Z0-9_.-\]\+/,
      ],
    ];
    for (const [name, message] of cases) {
      const error = await refusal(putRecord, { DeliveryStreamName: name, Record: { Data: '' } });
      assert.equal(error.type, 'InvalidArgumentException');
      assert.match(error.message, message);
    }
  });

  it('data that is not base64, whether its length or its characters give it away', async () => {
    for (const data of ['abc', 'YW J j', 'YWJj-_==', 'YW==YWJj', 'YR==']) {
      const error = await refusal(putRecord, { DeliveryStreamName: 'events', Record: { Data: data } });
      assert.equal(error.type, 'InvalidArgumentException', data);
      assert.match(
        error.message,
        /at 'record\.data' failed to satisfy constraint: Member must be base64-encoded/,
        data,
      );
    }
  });

  it('members of the wrong JSON type: SerializationException', async () => {
    const cases: [unknown, RegExp][] = [
      [
        { DeliveryStreamName: 5, Record: { Data: '' } },
        /^DeliveryStreamName must be a string, not a number\.$/,
      ],
      [{ DeliveryStreamName: 'events', Record: 'x' }, /^Record must be a JSON object, not a string\.$/],
      [
        { DeliveryStreamName: 'events', Record: { Data: [1] } },
        /^Record\.Data must be a string, not an array\.$/,
      ],
    ];
    for (const [input, message] of cases) {
      const error = await refusal(putRecord, input);
      assert.equal(error.type, 'SerializationException');
      assert.match(error.message, message);
    }
  });

  it('an unknown stream, and a key limited to other streams', async () => {
    const missing = await refusal(putRecord, { DeliveryStreamName: 'nope', Record: { Data: '' } });
    assert.equal(missing.type, 'ResourceNotFoundException');
    assert.equal(missing.message, 'Firehose nope under account 000000000000 not found.');
    const limited: Caller = { keyId: 'producer', streams: new Set(['other']) };
    for (const stream of ['events', 'nope']) {
      const denied = await refusal(
        putRecord,
        { DeliveryStreamName: stream, Record: { Data: '' } },
        context(),
        limited,
      );
      assert.equal(denied.type, 'AccessDeniedException');
      assert.equal(denied.authFailure, 'stream_denied');
      assert.equal(
        denied.message,
        `User: producer is not authorized to perform: firehose:PutRecord on resource: arn:aws:firehose:us-east-1:000000000000:deliverystream/${stream}`,
      );
    }
  });
});

describe('PutRecordBatch validation', () => {
  const records = (n: number, data = b64('r')) => Array.from({ length: n }, () => ({ Data: data }));

  it('no records, an empty list, or more than 500', async () => {
    assert.match(
      (await refusal(putRecordBatch, { DeliveryStreamName: 'events' })).message,
      /Value null at 'records' failed to satisfy constraint: Member must not be null$/,
    );
    assert.match(
      (await refusal(putRecordBatch, { DeliveryStreamName: 'events', Records: [] })).message,
      /Value '\[\]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1$/,
    );
    const tooMany = await refusal(putRecordBatch, { DeliveryStreamName: 'events', Records: records(501) });
    assert.equal(tooMany.type, 'InvalidArgumentException');
    assert.equal(
      tooMany.message,
      "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500",
    );
  });

  it('numbers records from 1 in its messages, and lists at most ten problems', async () => {
    const list = [{ Data: b64('ok') }, {}, { Data: 'abc' }];
    const error = await refusal(putRecordBatch, { DeliveryStreamName: 'events', Records: list });
    assert.match(error.message, /^2 validation errors detected: Value null at 'records\.2\.member\.data'/);
    assert.match(
      error.message,
      /Value at 'records\.3\.member\.data' failed to satisfy constraint: Member must be base64/,
    );
    const many = await refusal(putRecordBatch, { DeliveryStreamName: 'events', Records: records(12, 'a') });
    assert.match(many.message, /^12 validation errors detected: .*records\.10\.member\.data.*; and 2 more$/);
    assert.doesNotMatch(many.message, /records\.11\./);
  });

  it('a batch whose decoded records exceed maxBatchBytes (4 MiB), though each record fits', async () => {
    const MiB = 1024 * 1024;
    const data = Buffer.alloc(900_000, 7).toString('base64'); // 1.2 MB of base64 each
    const error = await refusal(putRecordBatch, { DeliveryStreamName: 'events', Records: records(5, data) });
    assert.equal(error.type, 'InvalidArgumentException');
    assert.equal(error.message, 'Records size exceeds 4 MB limit');
    const exact = context({ maxBatchBytes: 4 * MiB });
    // 4 records of 900,000 bytes (3.4 MiB) fit; the request then fails only at the unknown stream.
    const fits = await refusal(
      putRecordBatch,
      { DeliveryStreamName: 'nope', Records: records(4, data) },
      exact,
    );
    assert.equal(fits.type, 'ResourceNotFoundException');
    const small = await refusal(
      putRecordBatch,
      { DeliveryStreamName: 'events', Records: records(3, b64('abcd')) },
      context({ maxBatchBytes: 10 }),
    );
    assert.equal(small.message, 'Records size exceeds 10 bytes limit');
  });

  it('a record that is not base64 refuses the whole batch, naming the record', async () => {
    const list = [{ Data: b64('one') }, { Data: b64('two') }, { Data: 'dGhy ZWU=' }];
    const error = await refusal(putRecordBatch, { DeliveryStreamName: 'events', Records: list });
    assert.equal(error.type, 'InvalidArgumentException');
    assert.match(error.message, /^1 validation error detected: Value at 'records\.3\.member\.data'/);
  });

  it('records that are not objects: SerializationException', async () => {
    const error = await refusal(putRecordBatch, {
      DeliveryStreamName: 'events',
      Records: [{ Data: '' }, 'x'],
    });
    assert.equal(error.type, 'SerializationException');
    assert.equal(error.message, 'Records[1] must be a JSON object.');
    const notList = await refusal(putRecordBatch, { DeliveryStreamName: 'events', Records: { Data: '' } });
    assert.equal(notList.message, 'Records must be a JSON array, not an object.');
  });
});

describe('request bodies', () => {
  it('must be a JSON object; an empty body is {}', () => {
    assert.deepEqual(parseJsonObject(Buffer.alloc(0)), {});
    assert.deepEqual(parseJsonObject(Buffer.from('{"a":1}')), { a: 1 });
    for (const body of ['{"a":', '[1]', '"x"', 'null']) {
      assert.throws(
        () => parseJsonObject(Buffer.from(body)),
        (error: unknown) => error instanceof FirehoseError && error.type === 'SerializationException',
        body,
      );
    }
  });

  it('may be as large as the largest valid request in base64, with escaped slashes', () => {
    const MiB = 1024 * 1024;
    const limit = firehoseBodyLimit(1_024_000, 4 * MiB);
    const largest = JSON.stringify({
      DeliveryStreamName: 'x'.repeat(64),
      Records: Array.from({ length: 500 }, () => ({
        Data: Buffer.alloc((4 * MiB) / 500, 0xff).toString('base64'),
      })),
    });
    assert.ok(largest.replaceAll('/', '\\/').length < limit, `${largest.length} < ${limit}`);
  });
});
