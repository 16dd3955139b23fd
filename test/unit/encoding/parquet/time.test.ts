import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daysFromCivil, parseIsoDate, parseIsoTimestamp } from '../../../../src/encoding/parquet/time.js';

const DAY = 86_400_000;

describe('ISO-8601 dates and timestamps', () => {
  it('daysFromCivil agrees with Date.UTC on every day from 1600 to 2400', () => {
    // Date.UTC maps years 0-99 to 1900-1999, so it is only a reference from year 100 on.
    for (let ms = Date.UTC(1600, 0, 1); ms <= Date.UTC(2400, 11, 31); ms += DAY) {
      const date = new Date(ms);
      const days = daysFromCivil(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
      if (days !== ms / DAY) assert.fail(`${date.toISOString()}: ${days} !== ${ms / DAY}`);
    }
    assert.equal(daysFromCivil(1970, 1, 1), 0);
    assert.equal(daysFromCivil(0, 1, 1), -719528);
  });

  it('parses dates, leap days included', () => {
    assert.equal(parseIsoDate('2000-02-29'), 11016);
    assert.equal(parseIsoDate('1900-02-29'), 'is not a valid calendar date');
    assert.equal(parseIsoDate('2026-13-01'), 'is not a valid calendar date');
    assert.equal(parseIsoDate('2026-04-31'), 'is not a valid calendar date');
    assert.equal(parseIsoDate('2026-1-1'), 'is not an ISO-8601 date (YYYY-MM-DD)');
  });

  it('parses timestamps with Z, offsets in three spellings, a space, and no seconds', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5);
    assert.deepEqual(parseIsoTimestamp('2026-01-02T03:04:05Z'), { ms: at, micros: 0 });
    assert.deepEqual(parseIsoTimestamp('2026-01-02t03:04:05z'), { ms: at, micros: 0 });
    assert.deepEqual(parseIsoTimestamp('2026-01-02 03:04:05Z'), { ms: at, micros: 0 });
    assert.deepEqual(parseIsoTimestamp('2026-01-02T08:34:05+05:30'), { ms: at, micros: 0 });
    assert.deepEqual(parseIsoTimestamp('2026-01-02T08:34:05+0530'), { ms: at, micros: 0 });
    assert.deepEqual(parseIsoTimestamp('2026-01-01T19:04:05-08'), { ms: at, micros: 0 });
    assert.deepEqual(parseIsoTimestamp('2026-01-02T03:04Z'), { ms: at - 5000, micros: 0 });
    assert.deepEqual(parseIsoTimestamp('2026-01-02T03:04:05,5Z'), { ms: at + 500, micros: 0 });
  });

  it('keeps milliseconds and microseconds, floors nanoseconds, before 1970 too', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5);
    assert.deepEqual(parseIsoTimestamp('2026-01-02T03:04:05.123456Z'), { ms: at + 123, micros: 456 });
    assert.deepEqual(parseIsoTimestamp('2026-01-02T03:04:05.000001999Z'), { ms: at, micros: 1 });
    assert.deepEqual(parseIsoTimestamp('1969-12-31T23:59:59.999999Z'), { ms: -1, micros: 999 });
    assert.deepEqual(parseIsoTimestamp('0001-01-01T00:00:00Z'), { ms: -62135596800000, micros: 0 });
  });

  it('refuses what it cannot read exactly', () => {
    assert.match(parseIsoTimestamp('2026-01-02T03:04:05') as string, /no time zone/);
    assert.match(parseIsoTimestamp('2026-01-02T03:04:05.1234567890Z') as string, /not an ISO-8601 timestamp/);
    assert.match(parseIsoTimestamp('2026-01-02T03:04:60Z') as string, /not a valid time of day/);
    assert.match(parseIsoTimestamp('2026-01-02T03:60:00Z') as string, /not a valid time of day/);
    assert.match(parseIsoTimestamp('2026-01-02T03:04:05+02:60') as string, /invalid zone offset/);
    assert.match(parseIsoTimestamp('Fri, 02 Jan 2026 03:04:05 GMT') as string, /not an ISO-8601 timestamp/);
    assert.match(parseIsoTimestamp('') as string, /not an ISO-8601 timestamp/);
  });
});
