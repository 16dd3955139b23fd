// Firehose's S3 prefix expressions: `!{namespace:value}` inside a key prefix.
// Supported here: `!{timestamp:<pattern>}` (a Java DateTimeFormatter subset, UTC, the arrival
// time of the batch's first record) and `!{firehose:random-string}` (11 characters, derived
// from the batch so a retry writes the same key). Parsing happens once, at config load, so a
// bad expression is a config error with its line.
import { createHash } from 'node:crypto';

export class PrefixError extends Error {}

type Part =
  | { kind: 'literal'; text: string }
  | { kind: 'timestamp'; tokens: TimeToken[] }
  | { kind: 'random'; index: number }
  | { kind: 'errorType' }
  | { kind: 'partitionKey'; source: 'query' | 'lambda'; name: string };

/** `data` prefixes name delivered objects; `error` prefixes name the error output's objects. */
export type PrefixKind = 'data' | 'error';

/** Firehose's values of `!{firehose:error-output-type}`. */
export type ErrorOutputType = 'processing-failed' | 'format-conversion-failed' | 'partitioning-failed';

type TimeToken = { kind: 'literal'; text: string } | { kind: 'field'; field: TimeField; width: number };
type TimeField = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'millis';

const FIELD_LETTERS: Record<string, TimeField> = {
  y: 'year',
  u: 'year',
  M: 'month',
  d: 'day',
  H: 'hour',
  m: 'minute',
  s: 'second',
  S: 'millis',
};

/** Firehose appends this when a prefix has no timestamp expression (literally, no separator). */
const DEFAULT_TIME_PATTERN = 'yyyy/MM/dd/HH/';

export interface RenderContext {
  timeMs: number;
  /** Seed of `!{firehose:random-string}`: unique per batch (and partition), stable across retries. */
  seed: string;
  /** Required to render an error prefix. */
  errorOutputType?: ErrorOutputType;
  /** Required to render a prefix with partition key expressions. */
  partitionKeys?: PartitionKeys;
}

/** The partition keys of a record: from `partitioning.keys` and from the transform. */
export interface PartitionKeys {
  query: Readonly<Record<string, string>>;
  lambda: Readonly<Record<string, string>>;
}

export class PrefixTemplate {
  /** Names used in `!{partitionKeyFromQuery:...}` and `!{partitionKeyFromLambda:...}`. */
  readonly queryKeys: string[];
  readonly lambdaKeys: string[];

  private constructor(private readonly parts: Part[]) {
    const names = (source: 'query' | 'lambda') =>
      parts.flatMap((part) => (part.kind === 'partitionKey' && part.source === source ? [part.name] : []));
    this.queryKeys = [...new Set(names('query'))];
    this.lambdaKeys = [...new Set(names('lambda'))];
  }

  get partitioned(): boolean {
    return this.queryKeys.length > 0 || this.lambdaKeys.length > 0;
  }

  /**
   * An error prefix without `!{firehose:error-output-type}` gets `<type>/` appended, so the
   * kinds of failure never mix; then, as for data prefixes, the default time layout is appended
   * when there is no timestamp expression.
   */
  static parse(text: string, kind: PrefixKind = 'data'): PrefixTemplate {
    const parts = parseParts(text, kind);
    if (kind === 'error' && !parts.some((part) => part.kind === 'errorType')) {
      parts.push({ kind: 'errorType' }, { kind: 'literal', text: '/' });
    }
    if (!parts.some((part) => part.kind === 'timestamp')) {
      parts.push({ kind: 'timestamp', tokens: parseTimePattern(DEFAULT_TIME_PATTERN) });
    }
    return new PrefixTemplate(parts);
  }

  /** The template, or undefined when the text does not parse (for cross-field checks). */
  static tryParse(text: string, kind: PrefixKind = 'data'): PrefixTemplate | undefined {
    try {
      return PrefixTemplate.parse(text, kind);
    } catch {
      return undefined;
    }
  }

  render(context: RenderContext): string {
    const date = new Date(context.timeMs);
    let out = '';
    for (const part of this.parts) {
      if (part.kind === 'literal') out += part.text;
      else if (part.kind === 'timestamp') out += formatTime(part.tokens, date);
      else if (part.kind === 'random') out += randomString(context.seed, part.index);
      else if (part.kind === 'partitionKey') out += partitionKey(part, context.partitionKeys);
      else if (context.errorOutputType) out += context.errorOutputType;
      else throw new Error('an error prefix needs an error output type to render');
    }
    return out;
  }
}

function parseParts(text: string, kind: PrefixKind): Part[] {
  const parts: Part[] = [];
  let randomCount = 0;
  let position = 0;
  while (position < text.length) {
    const open = text.indexOf('!{', position);
    if (open === -1) {
      parts.push({ kind: 'literal', text: text.slice(position) });
      break;
    }
    if (open > position) parts.push({ kind: 'literal', text: text.slice(position, open) });
    const close = text.indexOf('}', open);
    if (close === -1) throw new PrefixError(`unclosed expression "${text.slice(open)}"`);
    const expression = text.slice(open + 2, close);
    const colon = expression.indexOf(':');
    const namespace = colon === -1 ? expression : expression.slice(0, colon);
    const value = colon === -1 ? '' : expression.slice(colon + 1);
    if (namespace === 'timestamp') {
      parts.push({ kind: 'timestamp', tokens: parseTimePattern(value) });
    } else if (namespace === 'firehose' && value === 'random-string') {
      parts.push({ kind: 'random', index: randomCount });
      randomCount += 1;
    } else if (namespace === 'firehose' && value === 'error-output-type') {
      if (kind !== 'error') {
        throw new PrefixError('!{firehose:error-output-type} is only allowed in an error output prefix');
      }
      parts.push({ kind: 'errorType' });
    } else if (namespace === 'partitionKeyFromQuery' || namespace === 'partitionKeyFromLambda') {
      if (kind === 'error')
        throw new PrefixError(`!{${expression}} is not allowed in an error output prefix`);
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
        throw new PrefixError(`!{${expression}} needs a key name of letters, digits, _ or -`);
      }
      parts.push({
        kind: 'partitionKey',
        source: namespace === 'partitionKeyFromQuery' ? 'query' : 'lambda',
        name: value,
      });
    } else {
      throw new PrefixError(
        `unknown expression "!{${expression}}"; expected !{timestamp:<pattern>} or !{firehose:random-string}`,
      );
    }
    position = close + 1;
  }
  return parts;
}

function parseTimePattern(pattern: string): TimeToken[] {
  if (pattern === '') throw new PrefixError('!{timestamp:} needs a pattern such as yyyy/MM/dd');
  const tokens: TimeToken[] = [];
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i] as string;
    if (char === "'") {
      // Quoted literal text; '' inside or outside quotes is one quote, as in Java.
      let end = i + 1;
      let literal = '';
      for (;;) {
        if (end >= pattern.length) throw new PrefixError(`unclosed quote in timestamp pattern "${pattern}"`);
        if (pattern[end] === "'") {
          if (pattern[end + 1] === "'") {
            literal += "'";
            end += 2;
            continue;
          }
          break;
        }
        literal += pattern[end];
        end += 1;
      }
      tokens.push({ kind: 'literal', text: end === i + 1 ? "'" : literal });
      i = end + 1;
    } else if (/[a-zA-Z]/.test(char)) {
      const field = FIELD_LETTERS[char];
      if (!field) {
        throw new PrefixError(
          `timestamp pattern letter "${char}" is not supported; use y, M, d, H, m, s, S and quoted text`,
        );
      }
      let width = 1;
      while (pattern[i + width] === char) width += 1;
      tokens.push({ kind: 'field', field, width });
      i += width;
    } else {
      tokens.push({ kind: 'literal', text: char });
      i += 1;
    }
  }
  return tokens;
}

function formatTime(tokens: TimeToken[], date: Date): string {
  let out = '';
  for (const token of tokens) {
    if (token.kind === 'literal') {
      out += token.text;
      continue;
    }
    const value = fieldValue(token.field, date);
    if (token.field === 'year' && token.width === 2) out += String(value % 100).padStart(2, '0');
    else out += String(value).padStart(token.width, '0');
  }
  return out;
}

function fieldValue(field: TimeField, date: Date): number {
  switch (field) {
    case 'year':
      return date.getUTCFullYear();
    case 'month':
      return date.getUTCMonth() + 1;
    case 'day':
      return date.getUTCDate();
    case 'hour':
      return date.getUTCHours();
    case 'minute':
      return date.getUTCMinutes();
    case 'second':
      return date.getUTCSeconds();
    case 'millis':
      return date.getUTCMilliseconds();
  }
}

function partitionKey(
  part: { source: 'query' | 'lambda'; name: string },
  keys: PartitionKeys | undefined,
): string {
  const value = keys?.[part.source][part.name];
  // Callers evaluate keys before rendering and route records without them to the error output.
  if (value === undefined) throw new Error(`partition key ${part.source}:${part.name} is missing`);
  return value;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomString(seed: string, index: number): string {
  const digest = createHash('sha256').update(`${seed}\n${index}`).digest();
  let out = '';
  for (let i = 0; i < 11; i += 1) out += ALPHABET[(digest[i] as number) % ALPHABET.length];
  return out;
}
