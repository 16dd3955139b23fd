// Reads a YAML config, substitutes environment references and validates it with the schema.
// Every problem is reported at once, each as `file:line:col path: message`, because a user
// fixing a config by hand wants the whole list, pointing at the lines to change.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Env, type PathSegment, substituteEnv } from './env.js';
import { knownOptions } from './reference.js';
import { type Config, configSchema } from './schema.js';

/** One problem in a config file. `line` and `col` are 1-based; 0 when the file could not be read. */
export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  /** Dotted path of the option, e.g. `streams.clicks.buffering.sizeMiB`; '' for the file as a whole. */
  path: string;
  message: string;
}

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the config file. */
  file: string;
  /** Directory of the config file: relative paths in the config are resolved from here. */
  baseDir: string;
}

/** A config that cannot be used. `message` lists every issue, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}

/** `config/sluice.yaml:12:7 streams.clicks.buffering.sizeMiB: must be an integer between 1 and 128` */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.col}` : `${issue.file}:`;
  return `${where} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/** Loads and validates a config file; throws ConfigError listing every problem. */
export async function loadConfig(file: string, env: Env = process.env): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([
      { file, line: 0, col: 0, path: '', message: `cannot read the config file (${reason})` },
    ]);
  }
  return parseConfigText(text, file, env);
}

/** Parses and validates config text; `file` is used in messages and to find `baseDir`. */
export function parseConfigText(text: string, file: string, env: Env = process.env): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: true, uniqueKeys: true });
  const issues: ConfigIssue[] = [];
  const add = (offset: number, path: readonly PropertyKey[], message: string): void => {
    const { line, col } = lineCounter.linePos(offset);
    issues.push({ file, line, col, path: formatPath(path), message });
  };
  const fail = (): never => {
    issues.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new ConfigError(issues);
  };

  // A document with syntax errors is not validated: the schema errors would be noise.
  const errorLines = new Set<number>();
  for (const error of doc.errors) {
    const offset = error.pos[0];
    const { line } = lineCounter.linePos(offset);
    if (errorLines.has(line)) continue; // one error per line: the rest usually follow from the first
    errorLines.add(line);
    const duplicate = error.code === 'DUPLICATE_KEY' ? findDuplicate(doc.contents, offset, []) : undefined;
    if (duplicate) {
      add(
        offset,
        duplicate.path,
        `duplicate key (first defined on line ${lineCounter.linePos(duplicate.first).line})`,
      );
    } else {
      const hint = yamlHint(text, offset);
      add(hint?.offset ?? offset, [], hint?.message ?? `invalid YAML: ${yamlMessage(error.message)}`);
    }
  }
  if (issues.length > 0) fail();

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    add(0, [], 'the config is empty; it needs at least a `streams:` mapping');
    fail();
  } else if (!isMap(root)) {
    add(
      root.range?.[0] ?? 0,
      [],
      `the config must be a mapping of options such as \`streams:\`, not ${kindOf(doc.toJS())}`,
    );
    fail();
  }

  const envIssues = substituteEnv(doc, env);
  for (const issue of envIssues) add(issue.node.range?.[0] ?? 0, issue.path, issue.message);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    add(0, [], `cannot read the YAML (${error instanceof Error ? error.message : String(error)})`);
    fail();
  }
  const result = configSchema.safeParse(data, { error: defaultMessage });
  if (result.success && issues.length === 0) {
    const absolute = resolve(file);
    return { config: result.data, file: absolute, baseDir: dirname(absolute) };
  }
  for (const zodIssue of result.error?.issues ?? []) {
    for (const { path, at, message } of explain(zodIssue, data)) {
      // A value whose reference failed to expand is still `${...}`: its schema error says nothing new.
      if (envIssues.some((e) => startsWith(path, e.path))) continue;
      add(offsetOf(doc, path, at), path, message);
    }
  }
  return fail();
}

/** A short description of a valid config, for `sluice validate`. Secrets are not shown. */
export function summarizeConfig({ config }: LoadedConfig): string {
  const lines = [
    `redis ${redactUrl(config.redis.url)} (key prefix ${config.redis.keyPrefix})`,
    `ingest http://${config.ingest.host}:${config.ingest.port}, admin http://${config.admin.host}:${config.admin.port}`,
  ];
  for (const [name, stream] of Object.entries(config.streams)) {
    const d = stream.destination;
    const target =
      d.type === 's3'
        ? `s3://${d.bucket}/${d.prefix ?? ''}${d.endpoint ? ` at ${d.endpoint}` : ''}`
        : `file ${d.directory}${d.prefix ? ` (prefix ${d.prefix})` : ''}`;
    const batch = `batches of ${stream.buffering.sizeMiB} MiB or ${stream.buffering.intervalSeconds} s`;
    lines.push(`stream ${name} -> ${target}, ${stream.format.type}, ${stream.compression}, ${batch}`);
  }
  return lines.join('\n');
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

// ---- zod issues -> messages and positions ----

type Target = 'key' | 'value';
interface Explained {
  path: PropertyKey[];
  at: Target;
  message: string;
}

/** Turns one zod issue into the issues a user sees (an unknown-keys issue becomes one per key). */
function explain(issue: z.core.$ZodIssue, data: unknown): Explained[] {
  const path = [...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: [...path, key],
        at: 'key',
        message: `unknown key "${key}"${suggest(key, knownOptions(path, data))}`,
      }));
    case 'invalid_key':
      return [{ path, at: 'key', message: `invalid name: ${issue.issues.map((i) => i.message).join('; ')}` }];
    case 'invalid_union':
      if (issue.discriminator !== undefined && 'options' in issue && issue.options) {
        if (path[path.length - 1] !== issue.discriminator) path.push(issue.discriminator);
        const choices = issue.options.map(String).join(', ');
        const message = isMissing(data, path)
          ? `is required (one of ${choices})`
          : `must be one of ${choices}`;
        return [{ path, at: 'value', message }];
      }
      return [{ path, at: 'value', message: issue.message }];
    case 'invalid_type':
      return [{ path, at: 'value', message: isMissing(data, path) ? 'is required' : issue.message }];
    default:
      return [{ path, at: 'value', message: issue.message }];
  }
}

/**
 * Messages for issues the schema gives no message of its own (zod asks the schema first). Zod's
 * defaults speak of JavaScript types; these speak of what to write in YAML.
 */
const defaultMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? `a ${issue.expected}`;
      const got = issue.input;
      const quote = expected === 'a string' && (typeof got === 'number' || typeof got === 'boolean');
      return `must be ${expected}, not ${kindOf(got)}${quote ? ' (quote it to make it text)' : ''}`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${String(issue.values[0])}`
        : `must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') {
        return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      }
      return issue.inclusive ? `must be at least ${issue.minimum}` : `must be greater than ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return issue.inclusive ? `must be at most ${issue.maximum}` : `must be less than ${issue.maximum}`;
    case 'invalid_format':
      if (issue.format === 'regex' && issue.pattern) return `must match ${issue.pattern}`;
      return `must be a valid ${issue.format === 'url' ? 'URL' : issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
};

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return String(value);
}

/** The value at `path` is absent from a mapping that exists (rather than present with a wrong type). */
function isMissing(data: unknown, path: readonly PropertyKey[]): boolean {
  let node = data;
  for (const segment of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  const last = path[path.length - 1];
  return (
    last !== undefined &&
    node !== null &&
    typeof node === 'object' &&
    !Array.isArray(node) &&
    !Object.hasOwn(node, last)
  );
}

// ---- "did you mean" for unknown keys ----

function suggest(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : distance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.min(2, Math.floor(key.length / 3))
    ? ` (did you mean "${best}"?)`
    : '';
}

/** Levenshtein distance; keys are short, so the quadratic table is fine. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

// ---- YAML positions ----

/**
 * Offset of the deepest YAML node that exists on `path`: the key itself when `at` is 'key' (an
 * unknown key, a bad stream name), otherwise the value, or its parent mapping when it is missing.
 */
function offsetOf(doc: Document, path: readonly PropertyKey[], at: Target): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const [index, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    let key: Node | undefined;
    let value: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      key = pair.key as Node;
      value = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      value = node.items[segment];
      if (value === undefined) break;
    } else {
      break;
    }
    const valueRange = (value as Node | null)?.range;
    const emptyValue = !valueRange || valueRange[0] === valueRange[1];
    const useKey = key !== undefined && ((at === 'key' && index === path.length - 1) || emptyValue);
    offset = (useKey ? key?.range?.[0] : valueRange?.[0]) ?? offset;
    node = value;
  }
  return offset;
}

/** The key at `offset` (where yaml reports a duplicate): its path, and where the first one is. */
function findDuplicate(
  node: unknown,
  offset: number,
  path: PathSegment[],
): { path: PathSegment[]; first: number } | undefined {
  const items: Array<[PathSegment, unknown, Node | undefined]> = isMap(node)
    ? node.items.map((p) => [isScalar(p.key) ? String(p.key.value) : '?', p.value, p.key as Node])
    : isSeq(node)
      ? node.items.map((item, i) => [i, item, undefined])
      : [];
  for (const [name, value, key] of items) {
    if (key?.range?.[0] === offset) {
      const first = items.find(([other]) => other === name)?.[2]?.range?.[0] ?? offset;
      return { path: [...path, name], first };
    }
    const found = findDuplicate(value, offset, [...path, name]);
    if (found) return found;
  }
  return undefined;
}

/** yaml's message without its position and source excerpt: we print our own. */
function yamlMessage(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/** Clearer messages for the two YAML mistakes a Sluice config invites, at the offending `!` or `$`. */
function yamlHint(text: string, offset: number): { offset: number; message: string } | undefined {
  const start = text[offset] === '{' ? offset - 1 : offset;
  const token = text.slice(start, start + 2);
  // Firehose prefix expressions start with `!{`, which YAML reads as a tag unless quoted.
  if (token === '!{') {
    return {
      offset: start,
      message: 'invalid YAML: a value starting with "!{" must be quoted, because YAML reads "!" as a tag',
    };
  }
  // In a flow collection `{` and `}` are structure, so an unquoted `${VAR}` breaks it.
  if (token === '${') {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows a literal reference.
    const message = 'invalid YAML: inside { } or [ ], a value with "${" must be quoted, as in "${VAR}"';
    return { offset: start, message };
  }
  return undefined;
}

/** `streams.clicks.buffering`, with keys that are not plain words quoted: `streams["app.logs"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z0-9_-]+$/.test(segment))
      out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

function startsWith(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]));
}
