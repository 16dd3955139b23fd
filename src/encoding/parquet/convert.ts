// JSON records to Parquet rows, field by field. Pure: no parquetjs-lite here. Each value becomes
// exactly what the column's plain encoder writes, so the library converts nothing itself (its own
// conversions round int64 and refuse instants before 1970: see library-patches.ts).
//
// A value the column cannot hold exactly fails the record, with a reason; nothing is rounded,
// truncated to fit or stringified behind the user's back. The one deliberate narrowing is the
// column's own precision: `float` is 32-bit, and a timestamp keeps the digits its unit holds.
import { Buffer, isUtf8 } from 'node:buffer';
import type { ColumnPlan } from './schema.js';
import { MAX_EPOCH_MS, MS_PER_DAY, parseIsoDate, parseIsoTimestamp } from './time.js';

/** The error codes of records that fail conversion (as Firehose's, plus MissingField). */
export const ConversionErrorCode = {
  /** The record is not valid UTF-8 or not valid JSON. */
  ParseError: 'DataFormatConversion.ParseError',
  /** The record is not a JSON object, or a field's value does not fit its column. */
  MalformedData: 'DataFormatConversion.MalformedData',
  /** A column that is not optional has no value (the field is missing or null). */
  MissingField: 'DataFormatConversion.MissingField',
} as const;

/**
 * A value as the column's encoder takes it. Integers of int64 and timestamp-micros columns are
 * numbers when they are safe integers and bigints beyond that, one form per value, so the
 * page statistics (a Set of the values) count each value once.
 */
export type Primitive = string | number | bigint | boolean;
/** One column of a row: a value, null, or (repeated columns) a list. */
export type Cell = Primitive | null | Primitive[];
export type Row = Cell[];

export type ConversionErrorCode = (typeof ConversionErrorCode)[keyof typeof ConversionErrorCode];

export type Converted =
  | { ok: true; row: Row }
  | { ok: false; errorCode: ConversionErrorCode; errorMessage: string };

/** Thrown by a value converter; the record converter turns it into a failure with the column. */
class ValueError extends Error {}

type ValueConverter = (value: unknown) => Primitive;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// An optional minus and up to 19 digits: every int64 fits, and BigInt never parses a huge
// string. No +, exponent or fraction: the integer's digits, as a producer writes them.
const DECIMAL_INTEGER = /^-?[0-9]{1,19}$/;

// Node 20's TypeScript lib (ES2023) does not declare String.prototype.isWellFormed (ES2024),
// which V8 has had since Node 20.0.
const isWellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean }).isWellFormed;

/** A short, safe description of a value for an error message. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  let text = JSON.stringify(value) ?? String(value);
  if (text.length > 40) text = `${text.slice(0, 37)}...`;
  return `${typeof value} ${text}`;
}

function fail(message: string): never {
  throw new ValueError(message);
}

/** One form per integer: a number when safe, else a bigint (see Primitive). */
function canonicalInteger(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

function toText(value: unknown): string {
  if (typeof value !== 'string') fail(`expected a string, got ${describe(value)}`);
  // An unpaired surrogate (JSON allows "\ud800") has no UTF-8 form; encoding would silently
  // replace it with U+FFFD.
  if (!isWellFormed.call(value)) fail('the string has an unpaired UTF-16 surrogate, which UTF-8 cannot hold');
  return value;
}

function toInt32(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    fail(`expected an integer, got ${describe(value)}`);
  if (value < INT32_MIN || value > INT32_MAX) fail(`${value} is outside the int32 range`);
  return value;
}

function toInt64(value: unknown): number | bigint {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value;
    if (Number.isInteger(value)) {
      fail(
        `${value} is beyond ±(2^53-1): JSON.parse has already rounded it, so its exact value is lost; send int64 values this large as strings, e.g. "9007199254740993"`,
      );
    }
    fail(`expected an integer, got ${describe(value)}`);
  }
  if (typeof value === 'string') {
    if (!DECIMAL_INTEGER.test(value))
      fail(`expected an integer or a string of decimal digits, got ${describe(value)}`);
    const exact = BigInt(value);
    if (exact < INT64_MIN || exact > INT64_MAX) fail(`${value} is outside the int64 range`);
    return canonicalInteger(exact);
  }
  return fail(`expected an integer, got ${describe(value)}`);
}

function toFloat(value: unknown): number {
  if (typeof value !== 'number') fail(`expected a number, got ${describe(value)}`);
  const single = Math.fround(value);
  if (!Number.isFinite(single)) fail(`${value} is outside the float (32-bit) range; use double`);
  return single;
}

function toDouble(value: unknown): number {
  if (typeof value !== 'number') fail(`expected a number, got ${describe(value)}`);
  return value;
}

function toBoolean(value: unknown): boolean {
  if (typeof value !== 'boolean') fail(`expected true or false, got ${describe(value)}`);
  return value;
}

function epochMs(value: number): number {
  if (!Number.isInteger(value)) fail(`epoch milliseconds must be an integer, got ${describe(value)}`);
  // The range of a Date, well within 2^53: the value is exact.
  if (Math.abs(value) > MAX_EPOCH_MS) fail(`${value} epoch milliseconds is outside the supported range`);
  return value;
}

function toTimestampMillis(value: unknown): number {
  if (typeof value === 'number') return epochMs(value);
  if (typeof value === 'string') {
    const instant = parseIsoTimestamp(value);
    if (typeof instant === 'string') fail(`${describe(value)} ${instant}`);
    return instant.ms;
  }
  return fail(`expected an ISO-8601 timestamp or epoch milliseconds, got ${describe(value)}`);
}

function toTimestampMicros(value: unknown): number | bigint {
  let ms: number;
  let micros = 0;
  if (typeof value === 'number') ms = epochMs(value);
  else if (typeof value === 'string') {
    const instant = parseIsoTimestamp(value);
    if (typeof instant === 'string') fail(`${describe(value)} ${instant}`);
    ({ ms, micros } = instant);
  } else {
    return fail(`expected an ISO-8601 timestamp or epoch milliseconds, got ${describe(value)}`);
  }
  const total = ms * 1000 + micros;
  // Exact in a double up to 2^53 µs (year 2255); beyond that, compute it as a bigint.
  return Number.isSafeInteger(total) ? total : canonicalInteger(BigInt(ms) * 1000n + BigInt(micros));
}

function toDate(value: unknown): number {
  if (typeof value === 'number') return Math.floor(epochMs(value) / MS_PER_DAY);
  if (typeof value === 'string') {
    const days = parseIsoDate(value);
    if (typeof days === 'string') fail(`${describe(value)} ${days}`);
    return days;
  }
  return fail(`expected an ISO-8601 date or epoch milliseconds, got ${describe(value)}`);
}

function toJsonText(value: unknown): string {
  // The value came from JSON.parse, so it always has a JSON text (and a well-formed one).
  return JSON.stringify(value);
}

export function valueConverter(column: Pick<ColumnPlan, 'type' | 'unit'>): ValueConverter {
  switch (column.type) {
    case 'string':
      return toText;
    case 'int32':
      return toInt32;
    case 'int64':
      return toInt64;
    case 'float':
      return toFloat;
    case 'double':
      return toDouble;
    case 'boolean':
      return toBoolean;
    case 'timestamp':
      return column.unit === 'micros' ? toTimestampMicros : toTimestampMillis;
    case 'date':
      return toDate;
    case 'json':
      return toJsonText;
  }
}

function listConverter(convert: ValueConverter): (value: unknown) => Primitive[] {
  return (value) => {
    if (!Array.isArray(value)) fail(`expected a JSON array, got ${describe(value)}`);
    const list: Primitive[] = new Array(value.length);
    for (let i = 0; i < value.length; i += 1) {
      const element: unknown = value[i];
      // A Parquet repeated field has no null elements.
      if (element === null) fail(`element ${i} is null; list elements cannot be null`);
      try {
        list[i] = convert(element);
      } catch (error) {
        if (error instanceof ValueError) fail(`element ${i}: ${error.message}`);
        throw error;
      }
    }
    return list;
  };
}

interface CompiledColumn {
  plan: ColumnPlan;
  convert: (value: unknown) => Cell;
}

/**
 * A converter from one record (its bytes, normally one JSON object) to a row with one cell per
 * column, in the columns' order. Missing and null fields are null in optional columns and an
 * empty list in optional repeated ones (Parquet has no null list here: it reads back as []).
 * Extra fields are ignored. Field names are matched exactly (case-sensitive).
 */
export function recordConverter(columns: readonly ColumnPlan[]): (data: Uint8Array) => Converted {
  const compiled: CompiledColumn[] = columns.map((plan) => {
    const single = valueConverter(plan);
    return { plan, convert: plan.repeated ? listConverter(single) : single };
  });
  return (data) => {
    // Invalid UTF-8 would decode to U+FFFD without an error, silently changing the strings.
    if (!isUtf8(data)) {
      return {
        ok: false,
        errorCode: ConversionErrorCode.ParseError,
        errorMessage: 'the record is not valid UTF-8',
      };
    }
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let document: unknown;
    try {
      document = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      return {
        ok: false,
        errorCode: ConversionErrorCode.ParseError,
        errorMessage: `the record is not valid JSON: ${(error as Error).message}`,
      };
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      return {
        ok: false,
        errorCode: ConversionErrorCode.MalformedData,
        errorMessage: `the record must be a JSON object, got ${describe(document)}`,
      };
    }
    const fields = document as Record<string, unknown>;
    const row: Row = new Array(compiled.length);
    for (let i = 0; i < compiled.length; i += 1) {
      const { plan, convert } = compiled[i] as CompiledColumn;
      // Own fields only: a column named "constructor" must not read Object.prototype's.
      const value = Object.hasOwn(fields, plan.field) ? fields[plan.field] : undefined;
      if (value === undefined || value === null) {
        if (!plan.optional) {
          return {
            ok: false,
            errorCode: ConversionErrorCode.MissingField,
            errorMessage: `column "${plan.name}": field "${plan.field}" is ${value === null ? 'null' : 'missing'} and the column is not optional`,
          };
        }
        row[i] = plan.repeated ? [] : null;
        continue;
      }
      try {
        row[i] = convert(value);
      } catch (error) {
        if (!(error instanceof ValueError)) throw error;
        return {
          ok: false,
          errorCode: ConversionErrorCode.MalformedData,
          errorMessage: `column "${plan.name}" (${plan.type}${plan.repeated ? ' list' : ''}): ${error.message}`,
        };
      }
    }
    return { ok: true, row };
  };
}
