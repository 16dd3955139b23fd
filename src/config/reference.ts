// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the reference documents literal ${VAR} references.
// Renders the README's configuration reference from the schema, so the two cannot drift:
// scripts/gen-config-docs.ts writes it, and a unit test fails when the README is stale.
// It reads the schema's JSON Schema (zod's public export) rather than zod internals.
import { stringify } from 'yaml';
import { z } from 'zod';
import { configSchema } from './schema.js';

type JsonSchema = z.core.JSONSchema.JSONSchema;

interface Row {
  option: string;
  type: string;
  default: string;
  description: string;
}

interface Section {
  title: string;
  description: string;
  rows: Row[];
}

export const REFERENCE_START = '<!-- config-reference:start -->';
export const REFERENCE_END = '<!-- config-reference:end -->';

/** The reference as markdown: one section per mapping, one table row per option. */
export function renderConfigReference(): string {
  const root = z.toJSONSchema(configSchema, { io: 'input' });
  const sections: Section[] = [];
  collect(root, '', '', 'Top level', sections);
  const out = [
    '_Generated from `src/config/schema.ts` by `npm run docs`; edit the schema, not this section._',
    '',
    'Options with a default may be left out. Any value may read the environment: `${VAR}` (VAR must be set), ' +
      '`${VAR:-default}` (the default when VAR is unset or empty), and `$${` for a literal `${`. ' +
      'An unquoted value that is one whole reference is read as YAML, so `port: ${PORT:-4573}` is a number; ' +
      'quote it to keep it text. Relative paths are resolved from the directory of the config file.',
  ];
  for (const section of sections) {
    out.push('', `### ${section.title}`, '');
    if (section.description) out.push(section.description, '');
    const rows = section.rows.map((r) => [`\`${r.option}\``, r.type, r.default, r.description].map(cell));
    out.push(...table(['Option', 'Type', 'Default', 'Description'], rows));
  }
  return `${out.join('\n')}\n`;
}

let inputSchema: JsonSchema | undefined;

/**
 * The option names allowed in the mapping at `path` of a config (`data`, as parsed), following
 * stream names and the destination's `type`. The loader uses it to suggest a misspelt key.
 */
export function knownOptions(path: readonly PropertyKey[], data: unknown): string[] {
  inputSchema ??= z.toJSONSchema(configSchema, { io: 'input' });
  let schema: JsonSchema | undefined = inputSchema;
  let value = data;
  for (const segment of path) {
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<PropertyKey, unknown>)[segment]
        : undefined;
    const next: z.core.JSONSchema._JSONSchema | undefined =
      schema?.properties?.[String(segment)] ??
      schema?.additionalProperties ??
      (typeof segment === 'number' ? listItem(schema) : undefined);
    schema = typeof next === 'object' ? next : undefined;
    const branches: JsonSchema[] | undefined = schema?.oneOf ?? schema?.anyOf;
    if (branches) {
      const type =
        value !== null && typeof value === 'object' ? (value as { type?: unknown }).type : undefined;
      schema = branches.find((branch) => constOf(branch) === type);
    }
  }
  return Object.keys(schema?.properties ?? {});
}

/** Replaces what lies between the markers in `readme`; adds a section with them when missing. */
export function replaceConfigReference(readme: string, reference: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  const block = `${REFERENCE_START}\n${reference}${REFERENCE_END}`;
  if (start === -1 || end === -1 || end < start) {
    const separator = readme === '' || readme.endsWith('\n\n') ? '' : readme.endsWith('\n') ? '\n' : '\n\n';
    return `${readme}${separator}## Configuration reference\n\n${block}\n`;
  }
  return readme.slice(0, start) + block + readme.slice(end + REFERENCE_END.length);
}

/** The text between the markers of `readme`, or undefined when they are missing. */
export function extractConfigReference(readme: string): string | undefined {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start === -1 || end < start) return undefined;
  return readme.slice(start + REFERENCE_START.length, end).replace(/^\n/, '');
}

/**
 * Adds the section for the mapping `schema` at `path`, then the sections of the mappings in it,
 * depth first, so the reference reads in the order of a config file. `variant` names the union
 * branch (e.g. `type: s3`) a section belongs to.
 */
function collect(
  schema: JsonSchema,
  path: string,
  variant: string,
  title: string,
  sections: Section[],
): void {
  const section: Section = { title, description: schema.description ?? '', rows: [] };
  sections.push(section);
  const nested: Array<() => void> = [];
  const required = new Set(schema.required ?? []);
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (typeof property !== 'object') continue;
    const child = path ? `${path}.${key}` : key;
    section.rows.push({
      option: child,
      type: typeOf(property),
      default:
        property.default !== undefined
          ? `\`${yamlValue(property.default)}\``
          : required.has(key)
            ? '**required**'
            : '—',
      description: descriptionOf(property),
    });
    const heading = (p: string, v: string) => `\`${p}\`${v ? ` (${v})` : ''}`;
    const record = recordValue(property);
    if (record && isMapping(record)) {
      const item = `${child}.<name>`;
      nested.push(() => collect(record, item, variant, heading(item, variant), sections));
    } else if (record) {
      // A mapping of names to plain values is documented by its own row.
    } else if (property.oneOf ?? property.anyOf) {
      for (const branch of property.oneOf ?? property.anyOf ?? []) {
        const branchVariant = [variant, `type: ${yamlValue(constOf(branch))}`].filter(Boolean).join(', ');
        nested.push(() => collect(branch, child, branchVariant, heading(child, branchVariant), sections));
      }
    } else if (property.properties) {
      nested.push(() => collect(property, child, variant, heading(child, variant), sections));
    } else if (listItem(property)) {
      // A list of mappings gets a section for its items, one per `type` when they are a union.
      const item = `${child}[]`;
      const items = listItem(property) as JsonSchema;
      if (items.properties)
        nested.push(() => collect(items, item, variant, heading(item, variant), sections));
      for (const branch of items.oneOf ?? items.anyOf ?? []) {
        const branchVariant = [variant, `type: ${yamlValue(constOf(branch))}`].filter(Boolean).join(', ');
        nested.push(() => collect(branch, item, branchVariant, heading(item, branchVariant), sections));
      }
    }
  }
  for (const add of nested) add();
}

/** Whether a schema describes a mapping with options of its own (worth a section). */
function isMapping(schema: JsonSchema): boolean {
  return Boolean(schema.properties ?? schema.oneOf ?? schema.anyOf);
}

function recordValue(schema: JsonSchema): JsonSchema | undefined {
  const value = schema.additionalProperties;
  return schema.propertyNames !== undefined && typeof value === 'object' ? value : undefined;
}

/** The schema of the items of a list, when `schema` is a list. */
function listItem(schema: JsonSchema | undefined): JsonSchema | undefined {
  const items = schema?.type === 'array' ? schema.items : undefined;
  return typeof items === 'object' && !Array.isArray(items) ? items : undefined;
}

function constOf(schema: JsonSchema): unknown {
  const type = schema.properties?.type;
  return typeof type === 'object' ? type.const : undefined;
}

function descriptionOf(schema: JsonSchema): string {
  const record = recordValue(schema);
  const names = typeof schema.propertyNames === 'object' ? schema.propertyNames.pattern : undefined;
  if (record && names) return `${schema.description ?? ''} Names match \`${names}\`.`.trim();
  return schema.description ?? '';
}

/** What may be written, with its limits, e.g. `integer, 1 to 128`. */
function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${yamlValue(schema.const)}\``;
  if (schema.enum) return `one of ${schema.enum.map((v) => `\`${yamlValue(v)}\``).join(', ')}`;
  const union = schema.oneOf ?? schema.anyOf;
  if (union) return `mapping, by \`type\`: ${union.map((b) => `\`${yamlValue(constOf(b))}\``).join(', ')}`;
  const value = recordValue(schema);
  if (value) return isMapping(value) ? 'mapping of name to mapping' : `mapping of name to ${typeOf(value)}`;
  const item = listItem(schema);
  if (item) return item.properties ? 'list of mappings' : `list of ${typeOf(item).replace(/^(\w+)/, '$1s')}`;
  switch (schema.type) {
    case 'object':
      return 'mapping';
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'number':
      return [schema.type, range(schema)].filter(Boolean).join(', ');
    case 'string': {
      if (schema.format === 'uri') return 'URL';
      const limits = [
        schema.pattern ? `matching \`${unescapeSlashes(schema.pattern)}\`` : '',
        schema.minLength === 1
          ? 'not empty'
          : schema.minLength
            ? `at least ${schema.minLength} characters`
            : '',
        schema.maxLength ? `at most ${schema.maxLength} characters` : '',
      ];
      return ['string', ...limits].filter(Boolean).join(', ');
    }
    default:
      return String(schema.type ?? 'any');
  }
}

function range(schema: JsonSchema): string {
  const low = typeof schema.exclusiveMinimum === 'number' ? `> ${schema.exclusiveMinimum}` : undefined;
  const high = typeof schema.exclusiveMaximum === 'number' ? `< ${schema.exclusiveMaximum}` : undefined;
  if (!low && !high && schema.minimum !== undefined && schema.maximum !== undefined) {
    return `${schema.minimum} to ${schema.maximum}`;
  }
  const parts = [
    low ?? (schema.minimum !== undefined ? `≥ ${schema.minimum}` : ''),
    high ?? (schema.maximum !== undefined ? `≤ ${schema.maximum}` : ''),
  ];
  return parts.filter(Boolean).join(' and ');
}

// JSON Schema patterns escape `/` (`^rediss?:\/\/`); the regex means the same without it.
function unescapeSlashes(pattern: string): string {
  return pattern.replace(/\\\//g, '/');
}

function yamlValue(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow' }).trim();
}

/**
 * A markdown table with its columns padded to equal width, as Biome formats markdown, so that
 * `npm run lint` accepts the generated README unchanged. Width counts code points, which is
 * what Biome counts for the characters used here (no wide CJK text).
 */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) =>
    Math.max(3, ...[h, ...rows.map((r) => r[i] ?? '')].map((c) => [...c].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - [...c].length)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** A table cell: pipes escaped, on one line. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
