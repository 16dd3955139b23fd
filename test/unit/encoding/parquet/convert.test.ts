import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSchema } from '../../../../src/config/format-schema.js';
import {
  ConversionErrorCode,
  type Converted,
  recordConverter,
} from '../../../../src/encoding/parquet/convert.js';
import { type ColumnPlan, planOf } from '../../../../src/encoding/parquet/schema.js';

/** Columns as the config loader makes them (defaults filled in by the zod schema). */
function columns(schema: Record<string, Record<string, unknown>>): ColumnPlan[] {
  const format = formatSchema.parse({ type: 'parquet', schema });
  assert.equal(format.type, 'parquet');
  return planOf(format).columns;
}

function convert(schema: Record<string, Record<string, unknown>>, record: unknown): Converted {
  const text = typeof record === 'string' ? record : JSON.stringify(record);
  return recordConverter(columns(schema))(Buffer.from(text));
}

/** The one cell of a one-column row. */
function cell(type: Record<string, unknown>, value: unknown): unknown {
  const result = convert({ c: type }, { c: value });
  assert.ok(
    result.ok,
    `expected ${JSON.stringify(value)} to convert: ${result.ok ? '' : result.errorMessage}`,
  );
  return result.row[0];
}

/** The failure of a one-column record. */
function failure(type: Record<string, unknown>, value: unknown): { errorCode: string; errorMessage: string } {
  const result = convert({ c: type }, { c: value });
  assert.ok(!result.ok, `expected ${JSON.stringify(value)} to fail as ${JSON.stringify(type)}`);
  return { errorCode: result.errorCode, errorMessage: result.errorMessage };
}

function malformed(type: Record<string, unknown>, value: unknown, message: RegExp): void {
  const { errorCode, errorMessage } = failure(type, value);
  assert.equal(errorCode, ConversionErrorCode.MalformedData);
  assert.match(errorMessage, message);
  assert.match(errorMessage, /^column "c" /);
}

describe('Parquet record conversion', () => {
  it('converts a record to one cell per column, in the schema order, ignoring extra fields', () => {
    const result = convert(
      { b: { type: 'int32' }, a: { type: 'string' }, renamed: { type: 'boolean', field: 'odd-name' } },
      { a: 'x', b: 7, extra: { deep: true }, 'odd-name': true },
    );
    assert.deepEqual(result, { ok: true, row: [7, 'x', true] });
  });

  it('string: JSON strings only, nothing stringified', () => {
    assert.equal(cell({ type: 'string' }, 'héllo 😀'), 'héllo 😀');
    assert.equal(cell({ type: 'string' }, ''), '');
    malformed({ type: 'string' }, 12, /expected a string, got number 12/);
    malformed({ type: 'string' }, true, /expected a string, got boolean true/);
    malformed({ type: 'string' }, { a: 1 }, /expected a string, got object/);
    malformed({ type: 'string' }, [1], /expected a string, got array/);
  });

  it('string: an unpaired surrogate fails rather than becoming U+FFFD', () => {
    const result = recordConverter(columns({ c: { type: 'string' } }))(Buffer.from('{"c":"a\\ud800b"}'));
    assert.ok(!result.ok);
    assert.equal(result.errorCode, ConversionErrorCode.MalformedData);
    assert.match(result.errorMessage, /unpaired UTF-16 surrogate/);
  });

  it('int32: integers within range', () => {
    assert.equal(cell({ type: 'int32' }, 2147483647), 2147483647);
    assert.equal(cell({ type: 'int32' }, -2147483648), -2147483648);
    assert.equal(cell({ type: 'int32' }, 1e3), 1000);
    malformed({ type: 'int32' }, 2147483648, /outside the int32 range/);
    malformed({ type: 'int32' }, 1.5, /expected an integer, got number 1.5/);
    malformed({ type: 'int32' }, '12', /expected an integer, got string "12"/);
  });

  it('int64: safe JSON numbers, and decimal strings exactly, beyond 2^53 too', () => {
    assert.equal(cell({ type: 'int64' }, 9007199254740991), 9007199254740991);
    assert.equal(cell({ type: 'int64' }, -42), -42);
    // Beyond 2^53 the value stays a bigint: exact.
    assert.equal(cell({ type: 'int64' }, '9007199254740993'), 9007199254740993n);
    assert.equal(cell({ type: 'int64' }, '9223372036854775807'), 9223372036854775807n);
    assert.equal(cell({ type: 'int64' }, '-9223372036854775808'), -9223372036854775808n);
    // One form per value: a safe integer given as a string is a number, like the same JSON number.
    assert.equal(cell({ type: 'int64' }, '123'), 123);
    assert.equal(cell({ type: 'int64' }, '-0'), 0);
  });

  it('int64: a JSON number beyond 2^53 fails, telling the user to send a string', () => {
    // JSON.parse has already rounded 9007199254740993 to ...992: the exact value is gone.
    const result = convert({ c: { type: 'int64' } }, '{"c": 9007199254740993}');
    assert.ok(!result.ok);
    assert.equal(result.errorCode, ConversionErrorCode.MalformedData);
    assert.match(result.errorMessage, /already rounded/);
    assert.match(result.errorMessage, /as strings/);
    malformed({ type: 'int64' }, 2 ** 53, /already rounded/);
  });

  it('int64: other values fail', () => {
    malformed({ type: 'int64' }, '9223372036854775808', /outside the int64 range/);
    malformed({ type: 'int64' }, '-9223372036854775809', /outside the int64 range/);
    malformed({ type: 'int64' }, '12345678901234567890123', /string of decimal digits/);
    malformed({ type: 'int64' }, '1e3', /string of decimal digits/);
    malformed({ type: 'int64' }, '+5', /string of decimal digits/);
    malformed({ type: 'int64' }, ' 5', /string of decimal digits/);
    malformed({ type: 'int64' }, '', /string of decimal digits/);
    malformed({ type: 'int64' }, 1.25, /expected an integer/);
    malformed({ type: 'int64' }, true, /expected an integer, got boolean/);
  });

  it('float and double: JSON numbers; float is 32-bit and refuses what it cannot hold', () => {
    assert.equal(cell({ type: 'double' }, 0.1), 0.1);
    assert.equal(cell({ type: 'double' }, -1e300), -1e300);
    assert.equal(cell({ type: 'float' }, 0.1), Math.fround(0.1));
    assert.equal(cell({ type: 'float' }, 3.4e38), Math.fround(3.4e38));
    malformed({ type: 'float' }, 1e39, /outside the float \(32-bit\) range; use double/);
    malformed({ type: 'double' }, '1.5', /expected a number, got string/);
    malformed({ type: 'float' }, 'x', /expected a number, got string/);
  });

  it('boolean: true and false only', () => {
    assert.equal(cell({ type: 'boolean' }, false), false);
    malformed({ type: 'boolean' }, 1, /expected true or false, got number 1/);
    malformed({ type: 'boolean' }, 'true', /expected true or false/);
  });

  it('timestamp (millis): ISO-8601 with a zone, or epoch milliseconds', () => {
    const ms = { type: 'timestamp' };
    assert.equal(cell(ms, '2026-01-02T03:04:05.123Z'), Date.UTC(2026, 0, 2, 3, 4, 5, 123));
    assert.equal(cell(ms, '2026-01-02T05:04:05.123+02:00'), Date.UTC(2026, 0, 2, 3, 4, 5, 123));
    assert.equal(cell(ms, 1767323045123), 1767323045123);
    assert.equal(cell(ms, -1000), -1000);
    // Below the unit's precision, digits are floored, also before 1970.
    assert.equal(cell(ms, '2026-01-02T03:04:05.123999Z'), Date.UTC(2026, 0, 2, 3, 4, 5, 123));
    assert.equal(cell(ms, '1969-12-31T23:59:59.9999Z'), -1);
  });

  it('timestamp (micros): keeps the microseconds of an ISO string', () => {
    const us = { type: 'timestamp', unit: 'micros' };
    assert.equal(cell(us, '2026-01-02T03:04:05.123456Z'), Date.UTC(2026, 0, 2, 3, 4, 5, 123) * 1000 + 456);
    assert.equal(cell(us, '2026-01-02T03:04:05.1Z'), Date.UTC(2026, 0, 2, 3, 4, 5, 100) * 1000);
    assert.equal(cell(us, '2026-01-02T03:04:05.123456789Z'), Date.UTC(2026, 0, 2, 3, 4, 5, 123) * 1000 + 456);
    assert.equal(cell(us, '1969-12-31T23:59:59.999999Z'), -1);
    assert.equal(cell(us, 1767323045123), 1767323045123000);
    // Beyond 2^53 microseconds (year 2255) the value is an exact bigint.
    assert.equal(cell(us, '9999-12-31T23:59:59.999999Z'), 253402300799999999n);
  });

  it('timestamp: unparseable, zone-less and impossible values fail with the reason', () => {
    const ms = { type: 'timestamp' };
    malformed(ms, '2026-01-02T03:04:05', /has no time zone; add Z or an offset/);
    malformed(ms, '2026-01-02', /date without a time/);
    malformed(ms, 'yesterday', /is not an ISO-8601 timestamp/);
    malformed(ms, '2026-02-30T00:00:00Z', /not a valid calendar date/);
    malformed(ms, '2026-01-02T24:00:00Z', /not a valid time of day/);
    malformed(ms, '2026-01-02T03:04:05+25:00', /invalid zone offset/);
    malformed(ms, 1.5, /epoch milliseconds must be an integer/);
    malformed(ms, 1e16, /outside the supported range/);
    malformed(ms, true, /expected an ISO-8601 timestamp or epoch milliseconds, got boolean/);
  });

  it('date: ISO dates and epoch milliseconds (the UTC day)', () => {
    assert.equal(cell({ type: 'date' }, '1970-01-02'), 1);
    assert.equal(cell({ type: 'date' }, '1969-12-31'), -1);
    assert.equal(cell({ type: 'date' }, '2024-02-29'), 19782);
    assert.equal(cell({ type: 'date' }, Date.UTC(2024, 1, 29, 23, 59)), 19782);
    assert.equal(cell({ type: 'date' }, -1), -1);
    malformed({ type: 'date' }, '2023-02-29', /not a valid calendar date/);
    malformed({ type: 'date' }, '2024-02-29T00:00:00Z', /not an ISO-8601 date/);
    malformed({ type: 'date' }, false, /expected an ISO-8601 date or epoch milliseconds/);
  });

  it('json: any value as its JSON text', () => {
    assert.equal(cell({ type: 'json' }, { a: [1, 'x', null] }), '{"a":[1,"x",null]}');
    assert.equal(cell({ type: 'json' }, 'text'), '"text"');
    assert.equal(cell({ type: 'json' }, 12.5), '12.5');
    assert.equal(cell({ type: 'json' }, false), 'false');
  });

  it('optional: missing or null is null; a required column fails as MissingField', () => {
    assert.deepEqual(convert({ a: { type: 'int32', optional: true } }, {}), { ok: true, row: [null] });
    assert.deepEqual(convert({ a: { type: 'int32', optional: true } }, { a: null }), {
      ok: true,
      row: [null],
    });
    const missing = convert({ a: { type: 'int32' } }, { b: 1 });
    assert.deepEqual(missing, {
      ok: false,
      errorCode: ConversionErrorCode.MissingField,
      errorMessage: 'column "a": field "a" is missing and the column is not optional',
    });
    const isNull = convert({ a: { type: 'json', field: 'x' } }, { x: null });
    assert.ok(!isNull.ok);
    assert.equal(isNull.errorCode, ConversionErrorCode.MissingField);
    assert.match(isNull.errorMessage, /field "x" is null/);
  });

  it('reads own fields only: a column named like an Object.prototype member', () => {
    assert.deepEqual(convert({ constructor: { type: 'json', optional: true } }, {}), {
      ok: true,
      row: [null],
    });
    assert.deepEqual(convert({ toString: { type: 'string' } }, { toString: 'x' }), { ok: true, row: ['x'] });
  });

  it('repeated: a JSON array whose elements convert', () => {
    assert.deepEqual(cell({ type: 'string', repeated: true }, ['a', 'b']), ['a', 'b']);
    assert.deepEqual(cell({ type: 'int64', repeated: true }, [1, '9007199254740993']), [
      1,
      9007199254740993n,
    ]);
    assert.deepEqual(cell({ type: 'json', repeated: true }, [{ a: 1 }, 2]), ['{"a":1}', '2']);
    assert.deepEqual(cell({ type: 'boolean', repeated: true }, []), []);
    // Optional and absent: an empty list (a Parquet repeated field has no null).
    assert.deepEqual(convert({ t: { type: 'string', repeated: true, optional: true } }, {}), {
      ok: true,
      row: [[]],
    });
    assert.equal(
      (convert({ t: { type: 'string', repeated: true } }, {}) as { errorCode: string }).errorCode,
      ConversionErrorCode.MissingField,
    );
    malformed(
      { type: 'string', repeated: true },
      'a',
      /\(string list\): expected a JSON array, got string "a"/,
    );
    malformed({ type: 'int32', repeated: true }, [1, 'x'], /element 1: expected an integer, got string "x"/);
    malformed(
      { type: 'string', repeated: true },
      ['a', null],
      /element 1 is null; list elements cannot be null/,
    );
  });

  it('records that are not JSON objects, not JSON or not UTF-8 fail with ParseError or MalformedData', () => {
    const convertRaw = recordConverter(columns({ a: { type: 'string' } }));
    const notJson = convertRaw(Buffer.from('{"a": '));
    assert.ok(!notJson.ok);
    assert.equal(notJson.errorCode, ConversionErrorCode.ParseError);
    assert.match(notJson.errorMessage, /^the record is not valid JSON: /);

    const notUtf8 = convertRaw(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])); // {"a":"\xff"}
    assert.deepEqual(notUtf8, {
      ok: false,
      errorCode: ConversionErrorCode.ParseError,
      errorMessage: 'the record is not valid UTF-8',
    });

    for (const [text, kind] of [
      ['[1,2]', 'array'],
      ['"a"', 'string "a"'],
      ['12', 'number 12'],
      ['null', 'null'],
    ]) {
      const result = convertRaw(Buffer.from(text as string));
      assert.deepEqual(result, {
        ok: false,
        errorCode: ConversionErrorCode.MalformedData,
        errorMessage: `the record must be a JSON object, got ${kind}`,
      });
    }
    // Whitespace and a trailing newline around the object are fine.
    assert.deepEqual(convertRaw(Buffer.from(' {"a":"x"}\n')), { ok: true, row: ['x'] });
  });

  it('keeps error messages short for long values', () => {
    const { errorMessage } = failure({ type: 'int32' }, 'x'.repeat(10_000));
    assert.ok(errorMessage.length < 120, errorMessage);
  });
});
