// Packing base64 records straight into a stream entry: random bytes round-trip, and text that
// Node's lenient decoder would accept but is not canonical base64 is refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { base64DecodedLength, packBase64Records, unpackRecords } from '../../../src/buffer/packing.js';

function pack(texts: string[]) {
  const lengths = texts.map(base64DecodedLength);
  return packBase64Records(
    texts,
    lengths,
    lengths.reduce((sum, n) => sum + n, 0),
  );
}

describe('base64DecodedLength', () => {
  it('reads the length from the text and its padding', () => {
    assert.equal(base64DecodedLength(''), 0);
    assert.equal(base64DecodedLength('YQ=='), 1);
    assert.equal(base64DecodedLength('YWI='), 2);
    assert.equal(base64DecodedLength('YWJj'), 3);
    assert.equal(base64DecodedLength('YWJjZA=='), 4);
    assert.equal(base64DecodedLength('YWJjZA'), -1, 'unpadded');
    assert.equal(base64DecodedLength('abc'), -1);
  });
});

describe('packBase64Records', () => {
  it('decodes random binary records, empty ones too, into the packed layout', () => {
    const records = [randomBytes(1), Buffer.alloc(0), randomBytes(2), randomBytes(3), randomBytes(70_001)];
    const packed = pack(records.map((r) => r.toString('base64')));
    assert.equal(packed.invalid, -1);
    assert.ok(packed.payload);
    assert.deepEqual(
      unpackRecords(packed.payload).map((r) => r.toString('hex')),
      records.map((r) => r.toString('hex')),
    );
  });

  it('refuses text that is not canonical base64, naming the first such record', () => {
    const good = Buffer.from('hello').toString('base64');
    for (const bad of [
      'aGV sbG8', // whitespace, which Node skips
      'aGV\nsbG8',
      'aGVsbG8', // no padding: the length gives it away
      'a-_s', // the base64url alphabet, which Node accepts
      'aG=sbG8=', // padding inside
      'aGVsbG9=', // non-zero bits after the last byte (canonical: aGVsbG8=)
      'aGVs*G8=',
      'aGVsbG8=\u00e9\u00e9\u00e9\u00e9',
    ]) {
      const packed = pack([good, good, bad]);
      assert.equal(packed.invalid, 2, JSON.stringify(bad));
      assert.equal(packed.payload, undefined);
    }
  });
});
