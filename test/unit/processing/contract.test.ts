import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAnswer, InvalidAnswer, isBase64 } from '../../../src/processing/transform/contract.js';
import { RESULT_DROPPED, RESULT_FAILED, RESULT_OK } from '../../../src/processing/transform/protocol.js';

const ids = ['a', 'b', 'c', 'd'];
const data = Buffer.from('{"x":1}').toString('base64');

describe('the transform contract', () => {
  it('accepts Ok, Dropped and ProcessingFailed for each record ID once', () => {
    const checked = checkAnswer(ids, {
      records: [
        { recordId: 'a', result: 'Ok', data, metadata: { partitionKeys: { customer: '42' } } },
        { recordId: 'b', result: 'Dropped' },
        { recordId: 'c', result: 'ProcessingFailed', data },
        { recordId: 'd', result: 'Ok', data: '' },
      ],
    });
    assert.deepEqual([...checked.results], [RESULT_OK, RESULT_DROPPED, RESULT_FAILED, RESULT_OK]);
    assert.deepEqual(checked.data, [data, undefined, undefined, '']);
    assert.deepEqual(checked.partitionKeys, [{ customer: '42' }, null, null, null]);
    assert.deepEqual(checked.failures, [
      {
        index: 2,
        errorCode: 'Lambda.ProcessingFailed',
        errorMessage: 'the function returned ProcessingFailed for this record',
      },
    ]);
    assert.deepEqual(checked.warnings, []);
  });

  it('fails missing, duplicated, badly encoded and unknown results, record by record', () => {
    const checked = checkAnswer(ids, {
      records: [
        { recordId: 'a', result: 'Ok', data: 'not base64!' },
        { recordId: 'b', result: 'Maybe', data },
        { recordId: 'c', result: 'Ok', data },
        { recordId: 'c', result: 'Ok', data },
        { recordId: 'zzz', result: 'Ok', data },
      ],
    });
    assert.deepEqual([...checked.results], [RESULT_FAILED, RESULT_FAILED, RESULT_FAILED, RESULT_FAILED]);
    assert.deepEqual(
      checked.failures.map((f) => [f.index, f.errorCode]),
      [
        [0, 'Lambda.InvalidData'],
        [1, 'Lambda.InvalidResult'],
        [2, 'Lambda.DuplicatedRecordId'],
        [3, 'Lambda.MissingRecordId'],
      ],
    );
    assert.equal(checked.warnings.length, 1);
    assert.match(checked.warnings[0] ?? '', /zzz/);
  });

  it('fails a record whose partition keys are not a string map', () => {
    const checked = checkAnswer(['a'], {
      records: [{ recordId: 'a', result: 'Ok', data, metadata: { partitionKeys: { n: 1 } } }],
    });
    assert.deepEqual(checked.failures[0]?.errorCode, 'Lambda.InvalidPartitionKeys');
  });

  it('rejects an answer that is not { records: [...] } as a whole', () => {
    for (const answer of [undefined, null, 42, 'x', {}, { records: 'no' }]) {
      assert.throws(() => checkAnswer(ids, answer), InvalidAnswer);
    }
  });

  it('checks base64 strictly', () => {
    assert.equal(isBase64(''), true);
    assert.equal(isBase64('eyJ4IjoxfQ=='), true);
    assert.equal(isBase64('eyJ4IjoxfQ'), false, 'unpadded');
    assert.equal(isBase64('eyJ4Ij-xfQ=='), false, 'URL-safe alphabet');
    assert.equal(isBase64('ey Jx'), false);
  });
});
