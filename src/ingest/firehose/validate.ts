// Validation of Firehose request bodies against the API model's constraints (firehose.md §1
// "Shapes"). A body that is not a JSON object, or a member of the wrong JSON type, is a
// SerializationException, as Smithy's protocol tests have it. Broken constraints (a missing
// member, a length or pattern) are collected and answered together as one
// InvalidArgumentException in AWS's validation wording:
//   1 validation error detected: Value null at 'deliveryStreamName' failed to satisfy
//   constraint: Member must not be null
// (member paths are lowerCamel, list members `records.<n>.member.data` counted from 1, as in
// the AWS answer quoted in osquery/osquery#3568). Firehose's model has no ValidationException,
// so SDKs raise these as its modeled InvalidArgumentException.
import { isUtf8 } from 'node:buffer';
import { FirehoseError, validationError } from './errors.js';
import { readRecordsBody } from './records-body.js';

export type JsonObject = Record<string, unknown>;

/** Parses a request body that must be a JSON object. An empty body is read as `{}`. */
export function parseJsonObject(body: Buffer): JsonObject {
  if (body.length === 0) return {};
  if (!isUtf8(body))
    throw new FirehoseError('SerializationException', 'The request body is not valid UTF-8.');
  const records = readRecordsBody(body);
  if (records) return records;
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new FirehoseError(
      'SerializationException',
      `The request body is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (!isObject(value))
    throw new FirehoseError('SerializationException', 'The request body must be a JSON object.');
  return value;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects constraint violations; `check()` throws them as one InvalidArgumentException. */
export class Violations {
  readonly list: string[] = [];

  add(path: string, value: string | null | undefined, constraint: string): void {
    const shown = value === undefined ? '' : value === null ? ' null' : ` '${value}'`;
    this.list.push(`Value${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  notNull(path: string): void {
    this.add(path, null, 'Member must not be null');
  }

  check(): void {
    if (this.list.length > 0) throw validationError(this.list);
  }
}

/** A member that must be a string when present; JSON null counts as absent, as in AWS's parsers. */
export function optionalString(input: JsonObject, member: string, where = member): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(where, 'a string', value);
  return value;
}

export function optionalInteger(input: JsonObject, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(member, 'an integer', value);
  return value;
}

export function optionalObject(input: JsonObject, member: string, where = member): JsonObject | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw wrongType(where, 'a JSON object', value);
  return value;
}

export function optionalArray(input: JsonObject, member: string): unknown[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(member, 'a JSON array', value);
  return value;
}

function wrongType(member: string, expected: string, value: unknown): FirehoseError {
  const got = Array.isArray(value)
    ? 'an array'
    : typeof value === 'object'
      ? 'an object'
      : `a ${typeof value}`;
  return new FirehoseError('SerializationException', `${member} must be ${expected}, not ${got}.`);
}

const STREAM_NAME = /^[a-zA-Z0-9_.-]+$/;

/** A delivery stream name member: 1 to 64 of `[a-zA-Z0-9_.-]` (Firehose's DeliveryStreamName). */
export function streamNameMember(
  input: JsonObject,
  member: string,
  path: string,
  violations: Violations,
  required: boolean,
): string | undefined {
  const name = optionalString(input, member);
  if (name === undefined) {
    if (required) violations.notNull(path);
    return undefined;
  }
  const shown = name.length > 100 ? `${name.slice(0, 100)}...` : name;
  if (name.length < 1) violations.add(path, shown, 'Member must have length greater than or equal to 1');
  else if (name.length > 64) violations.add(path, shown, 'Member must have length less than or equal to 64');
  else if (!STREAM_NAME.test(name)) {
    violations.add(path, shown, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
  }
  return name;
}

/** An integer member between min and max (e.g. Limit: 1 to 10000). */
export function integerMember(
  input: JsonObject,
  member: string,
  path: string,
  violations: Violations,
  min: number,
  max: number,
): number | undefined {
  const value = optionalInteger(input, member);
  if (value === undefined) return undefined;
  if (value < min)
    violations.add(path, String(value), `Member must have value greater than or equal to ${min}`);
  if (value > max) violations.add(path, String(value), `Member must have value less than or equal to ${max}`);
  return value;
}
