import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBatchDescriptor, recordId } from '../../../src/buffer/batch.js';
import { packRecords, unpackRecords } from '../../../src/buffer/packing.js';

describe('packing', () => {
  it('round-trips records of any content, including empty and binary ones', () => {
    const records = [
      Buffer.from('{"a":1}'),
      Buffer.alloc(0),
      Buffer.from([0, 10, 13, 255, 0]),
      Buffer.from('é\n'),
    ];
    const unpacked = unpackRecords(packRecords(records));
    assert.deepEqual(
      unpacked.map((r) => [...r]),
      records.map((r) => [...r]),
    );
  });

  it('rejects a truncated payload rather than inventing records', () => {
    const packed = packRecords([Buffer.from('hello'), Buffer.from('world')]);
    assert.throws(() => unpackRecords(packed.subarray(0, packed.length - 1)), /truncated/);
    assert.throws(() => unpackRecords(packed.subarray(0, 2)), /truncated/);
  });
});

describe('batch descriptors', () => {
  it('parses what the cut script writes', () => {
    const batch = parseBatchDescriptor(
      'clicks',
      7,
      '1700000000000-0 1700000000500-3 42 4096 1700000001000 size',
    );
    assert.deepEqual(batch, {
      stream: 'clicks',
      seq: 7,
      firstId: '1700000000000-0',
      lastId: '1700000000500-3',
      records: 42,
      bytes: 4096,
      cutAtMs: 1700000001000,
      trigger: 'size',
      firstArrivalMs: 1700000000000,
    });
  });

  it('refuses a malformed descriptor', () => {
    assert.throws(() => parseBatchDescriptor('s', 1, '1-0 2-0 3'), /malformed/);
    assert.throws(() => parseBatchDescriptor('s', 1, '1-0 2-0 3 4 5 weekly'), /malformed/);
  });

  it('builds record IDs from the entry ID and the index', () => {
    assert.equal(recordId('1700000000000-5', 12), '1700000000000-5:12');
  });
});
