import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Batch } from '../../../src/buffer/batch.js';
import { backoffDelayMs } from '../../../src/delivery/backoff.js';
import { objectKey } from '../../../src/delivery/object-key.js';
import { PrefixTemplate } from '../../../src/delivery/prefix.js';

const batch: Batch = {
  stream: 'clicks',
  seq: 3,
  firstId: `${Date.UTC(2026, 0, 2, 3, 4, 5)}-0`,
  lastId: `${Date.UTC(2026, 0, 2, 3, 4, 9)}-2`,
  records: 10,
  bytes: 1000,
  cutAtMs: Date.UTC(2026, 0, 2, 3, 4, 10),
  trigger: 'size',
  firstArrivalMs: Date.UTC(2026, 0, 2, 3, 4, 5),
};

describe('object keys', () => {
  it("follow Firehose's layout with the first record's arrival time", () => {
    const key = objectKey({ prefix: PrefixTemplate.parse('clicks/'), batch, extension: '.gz' });
    assert.match(
      key,
      /^clicks\/2026\/01\/02\/03\/clicks-1-2026-01-02-03-04-05-[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.gz$/,
    );
  });

  it('are the same on every retry of a batch and differ between batches', () => {
    const prefix = PrefixTemplate.parse('');
    const key = objectKey({ prefix, batch, extension: '' });
    assert.equal(objectKey({ prefix, batch: { ...batch }, extension: '' }), key);
    assert.notEqual(objectKey({ prefix, batch: { ...batch, seq: 4 }, extension: '' }), key);
    // A Redis that was reset restarts sequences; the first entry ID still tells batches apart.
    assert.notEqual(
      objectKey({ prefix, batch: { ...batch, firstId: `${batch.firstArrivalMs}-1` }, extension: '' }),
      key,
    );
  });
});

describe('backoff', () => {
  it('doubles up to the cap, with jitter in the upper half', () => {
    const policy = { initialBackoffSeconds: 1, maxBackoffSeconds: 10 };
    assert.equal(
      backoffDelayMs(policy, 1, () => 0),
      500,
    );
    assert.equal(
      backoffDelayMs(policy, 1, () => 1),
      1000,
    );
    assert.equal(
      backoffDelayMs(policy, 3, () => 1),
      4000,
    );
    assert.equal(
      backoffDelayMs(policy, 50, () => 1),
      10_000,
    );
    assert.equal(
      backoffDelayMs(policy, 50, () => 0),
      5000,
    );
  });
});
