// The compact PutRecord/PutRecordBatch reader must mean exactly what JSON.parse means, and hand
// every other body back to JSON.parse.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readRecordsBody } from '../../../src/ingest/firehose/records-body.js';

const data = (text: string) => Buffer.from(text).toString('base64');

describe('readRecordsBody', () => {
  it('reads what the AWS SDKs send, as JSON.parse does', () => {
    const bodies = [
      {
        DeliveryStreamName: 'clicks',
        Records: [{ Data: data('{"a":1}\n') }, { Data: data('x') }, { Data: '' }],
      },
      { Records: [{ Data: data('first the records') }], DeliveryStreamName: 'ünïcödé-name' },
      { DeliveryStreamName: 'clicks', Records: [] },
      { DeliveryStreamName: 'clicks', Record: { Data: data('one record') } },
      { Record: { Data: 'not base64 but a string all the same' }, DeliveryStreamName: 's' },
      { Records: [{ Data: '////' }] },
    ];
    for (const body of bodies) {
      const text = JSON.stringify(body);
      assert.deepEqual(readRecordsBody(Buffer.from(text)), JSON.parse(text), text);
    }
  });

  it('leaves every other body to JSON.parse', () => {
    const others = [
      '{ "DeliveryStreamName":"s","Records":[{"Data":"AA=="}]}', // white space
      '{"DeliveryStreamName":"s","Records":[{"Data":"AA=="} ]}',
      '{"DeliveryStreamName":"s\\u0041","Records":[{"Data":"AA=="}]}', // an escape
      '{"DeliveryStreamName":"s","Records":[{"Data":"A\\/A="}]}',
      '{"DeliveryStreamName":"s","DeliveryStreamName":"t"}', // a repeated member
      '{"DeliveryStreamName":"s","Records":[{"Data":"AA==","PartitionKey":"p"}]}', // another member
      '{"DeliveryStreamName":"s","Records":[{"Data":null}]}', // another type
      '{"DeliveryStreamName":1}',
      '{"DeliveryStreamName":"s","Records":[{"Data":"AA=="},]}', // not JSON
      '{"DeliveryStreamName":"s","Records":[{"Data":"AA=="}]',
      '{"DeliveryStreamName":"s"}x}',
      '{"DeliveryStreamName":"s\tt"}', // a raw control character, which JSON refuses
      '[{"Data":"AA=="}]',
      '{}',
      '{"Records":[{"Data":"AA=="}}',
      '{"Records":[{"Data":"AA==',
      '{"Records":[{"Data":"AA=="}]}}',
    ];
    for (const text of others) assert.equal(readRecordsBody(Buffer.from(text)), undefined, text);
  });
});
