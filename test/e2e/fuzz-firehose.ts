// Generated Firehose API requests for the fuzz test: valid PutRecord and PutRecordBatch,
// bodies that are not JSON objects or not UTF-8, members of the wrong type, bad base64, broken
// limits and constraints, unknown streams and operations, failed or refused signatures, and
// oversized bodies. The test signs them (SigV4) just before sending, as `signing` says.
import type { Random } from '../support/random.js';
import { type FuzzCase, type FuzzLimits, type Signing, STREAM } from './fuzz-cases.js';

const TARGET = 'Firehose_20150804.';

function build(
  rnd: Random,
  limits: FuzzLimits,
  kind: string,
  operation: string | undefined,
  body: Buffer | string,
  expect: FuzzCase['expect'],
  signing: Signing = 'producer',
): FuzzCase {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
  if (operation !== undefined)
    headers['x-amz-target'] = operation.includes('.') ? operation : TARGET + operation;
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    kind,
    api: 'firehose',
    method: 'POST',
    path: '/',
    headers,
    body: bytes,
    chunked: rnd.chance(0.2) && bytes.length < limits.firehoseBodyLimit * 2,
    signing,
    expect,
  };
}

function record(rnd: Random, bytes = rnd.int(1, 300)): { Data: string } {
  return { Data: rnd.bytes(bytes).toString('base64') };
}

const BAD_BASE64 = ['!!!!', 'abc', 'ab=c', 'YQ', ' YQ==', 'YQ==\n', 'YQ=', '====', 'Y-_Q'];

export function firehoseCase(rnd: Random, limits: FuzzLimits): FuzzCase {
  const ok = { status: 200 };
  const serialization = { status: 400, code: 'SerializationException' };
  const invalid = { status: 400, code: 'InvalidArgumentException' };
  switch (rnd.int(0, 13)) {
    case 0:
    case 1: {
      const records = Array.from({ length: rnd.int(1, 50) }, () => record(rnd));
      const body = JSON.stringify({ DeliveryStreamName: STREAM, Records: records });
      return build(rnd, limits, 'firehose valid PutRecordBatch', 'PutRecordBatch', body, {
        ...ok,
        count: records.length,
      });
    }
    case 2: {
      const body = JSON.stringify({ DeliveryStreamName: STREAM, Record: record(rnd) });
      return build(rnd, limits, 'firehose valid PutRecord', 'PutRecord', body, { ...ok, count: 1 });
    }
    case 3: {
      const body = rnd.pick([
        '{',
        'nul',
        '{"a":1',
        '\u0001',
        '[]',
        '1',
        '"x"',
        'null',
        '{"DeliveryStreamName":"events",}',
      ]);
      return build(
        rnd,
        limits,
        'firehose body not a JSON object',
        rnd.pick(['PutRecord', 'PutRecordBatch']),
        body,
        serialization,
      );
    }
    case 4: {
      const body = Buffer.concat([
        Buffer.from('{"DeliveryStreamName":"ev'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]);
      return build(rnd, limits, 'firehose invalid UTF-8', 'PutRecord', body, serialization);
    }
    case 5: {
      const body = rnd.pick([
        { DeliveryStreamName: 5, Record: record(rnd) },
        { DeliveryStreamName: [], Records: [record(rnd)] },
        { DeliveryStreamName: STREAM, Records: 'x' },
        { DeliveryStreamName: STREAM, Records: {} },
        { DeliveryStreamName: STREAM, Records: [5] },
        { DeliveryStreamName: STREAM, Records: [null] },
        { DeliveryStreamName: STREAM, Record: [] },
        { DeliveryStreamName: STREAM, Record: { Data: 5 } },
        { DeliveryStreamName: STREAM, Record: 'x' },
      ]);
      const operation = 'Records' in body ? 'PutRecordBatch' : 'PutRecord';
      return build(
        rnd,
        limits,
        'firehose member of the wrong type',
        operation,
        JSON.stringify(body),
        serialization,
      );
    }
    case 6: {
      const records = Array.from({ length: rnd.int(1, 5) }, () => record(rnd));
      records[rnd.int(0, records.length - 1)] = { Data: rnd.pick(BAD_BASE64) };
      const body = JSON.stringify({ DeliveryStreamName: STREAM, Records: records });
      return build(rnd, limits, 'firehose bad base64', 'PutRecordBatch', body, invalid);
    }
    case 7: {
      const body = rnd.pick([
        {},
        { DeliveryStreamName: STREAM },
        { Record: record(rnd) },
        { DeliveryStreamName: 'x'.repeat(65), Record: record(rnd) },
        { DeliveryStreamName: 'a b', Record: record(rnd) },
        { DeliveryStreamName: 'événements', Record: record(rnd) },
        { DeliveryStreamName: '', Record: record(rnd) },
        { DeliveryStreamName: STREAM, Record: {} },
        { DeliveryStreamName: STREAM, Record: record(rnd, limits.maxRecordBytes + 1) },
      ]);
      return build(rnd, limits, 'firehose constraint violated', 'PutRecord', JSON.stringify(body), invalid);
    }
    case 8: {
      const many = rnd.chance(0.5);
      const records = many
        ? Array.from({ length: 501 }, () => record(rnd, 1))
        : rnd.chance(0.5)
          ? []
          : [record(rnd, limits.maxRecordBytes), record(rnd, limits.maxRecordBytes)];
      const body = JSON.stringify({ DeliveryStreamName: STREAM, Records: records });
      return build(rnd, limits, 'firehose batch limits', 'PutRecordBatch', body, invalid);
    }
    case 9: {
      const name = rnd.pick(['nope', 'other-stream', 'a'.repeat(64)]);
      const body = JSON.stringify({ DeliveryStreamName: name, Record: record(rnd) });
      return build(rnd, limits, 'firehose unknown stream', 'PutRecord', body, {
        status: 400,
        code: 'ResourceNotFoundException',
      });
    }
    case 10: {
      const target = rnd.pick([
        undefined,
        'CreateDeliveryStream',
        'Nope',
        'Kinesis_20131202.PutRecord',
        `${TARGET}\u00ff`,
      ]);
      const c = build(
        rnd,
        limits,
        'firehose unknown operation',
        target,
        '{}',
        { status: 400, code: 'UnknownOperationException' },
        'none',
      );
      return rnd.chance(0.2) ? { ...c, method: 'GET', body: Buffer.alloc(0) } : c;
    }
    case 11: {
      const signing = rnd.pick(['none', 'garbage', 'unknown-key', 'wrong-secret', 'tamper'] as const);
      const expect = {
        none: { status: 403, code: 'MissingAuthenticationTokenException' },
        garbage: { status: 400, code: 'IncompleteSignatureException' },
        'unknown-key': { status: 400, code: 'UnrecognizedClientException' },
        'wrong-secret': { status: 400, code: 'InvalidSignatureException' },
        tamper: { status: 400, code: 'InvalidSignatureException' },
      }[signing];
      const body = JSON.stringify({ DeliveryStreamName: STREAM, Record: record(rnd) });
      return build(rnd, limits, 'firehose not authenticated', 'PutRecord', body, expect, signing);
    }
    case 12: {
      const body = JSON.stringify({ DeliveryStreamName: STREAM, Record: record(rnd) });
      return build(
        rnd,
        limits,
        'firehose key limited to another stream',
        'PutRecord',
        body,
        { status: 400, code: 'AccessDeniedException' },
        'limited',
      );
    }
    default: {
      const size = rnd.int(limits.firehoseBodyLimit + 1, limits.firehoseBodyLimit + 2 * 1024 * 1024);
      return build(rnd, limits, 'firehose huge body', 'PutRecordBatch', Buffer.alloc(size, 0x20), invalid);
    }
  }
}
