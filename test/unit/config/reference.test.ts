import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  extractConfigReference,
  REFERENCE_END,
  REFERENCE_START,
  renderConfigReference,
  replaceConfigReference,
} from '../../../src/config/reference.js';
import { configSchema } from '../../../src/config/schema.js';

type JsonSchema = z.core.JSONSchema.JSONSchema;

// Compiled to dist/test/unit/config/: the project root is four levels up.
const readmePath = fileURLToPath(new URL('../../../../README.md', import.meta.url));

/** Every option path of the schema, walked here independently of the renderer. */
function leafPaths(schema: JsonSchema, path: string): string[] {
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches) return branches.flatMap((branch) => leafPaths(branch, path));
  const value = schema.additionalProperties;
  if (typeof value === 'object') {
    // A mapping of names to plain values (partition key paths) is one option, not a section.
    const mapping = value.properties ?? value.oneOf ?? value.anyOf;
    return mapping ? leafPaths(value, `${path}.<name>`) : [path];
  }
  if (schema.properties) {
    return Object.entries(schema.properties).flatMap(([key, child]) =>
      typeof child === 'object' ? leafPaths(child, path ? `${path}.${key}` : key) : [],
    );
  }
  return [path];
}

describe('config reference', () => {
  it('README.md holds the reference generated from the schema (run `npm run docs` after a schema change)', async () => {
    const readme = await readFile(readmePath, 'utf8');
    const section = extractConfigReference(readme);
    assert.ok(section !== undefined, `README.md lacks the ${REFERENCE_START} / ${REFERENCE_END} markers`);
    assert.equal(section, renderConfigReference());
  });

  it('documents every option of the schema', () => {
    const reference = renderConfigReference();
    const paths = leafPaths(z.toJSONSchema(configSchema, { io: 'input' }), '');
    assert.ok(paths.length > 30, `only ${paths.length} paths found`);
    const rows = new Set(reference.split('\n').map((line) => /^\| `([^`]+)` +\|/.exec(line)?.[1]));
    for (const path of paths) assert.ok(rows.has(path), `${path} is not in the reference`);
    assert.ok(paths.includes('streams.<name>.buffering.sizeMiB'));
    assert.ok(paths.includes('streams.<name>.destination.credentials.secretAccessKey'));
  });

  it('gives each destination type its own section, and shows types, defaults and descriptions', () => {
    const reference = renderConfigReference();
    assert.match(reference, /^### `streams\.<name>\.destination` \(type: s3\)$/m);
    assert.match(reference, /^### `streams\.<name>\.destination` \(type: file\)$/m);
    assert.match(reference, /^### `streams\.<name>\.destination\.credentials` \(type: s3\)$/m);
    // Columns are padded to equal width (as Biome formats markdown): compare the cells.
    const cells = (option: string) =>
      reference
        .split('\n')
        .find((line) => line.startsWith(`| \`${option}\` `))
        ?.slice(2, -2)
        .split(' | ')
        .map((c) => c.trim());
    assert.deepEqual(cells('streams.<name>.buffering.sizeMiB')?.slice(0, 3), [
      '`streams.<name>.buffering.sizeMiB`',
      'integer, 1 to 128',
      '`5`',
    ]);
    assert.match(cells('streams.<name>.buffering.sizeMiB')?.[3] ?? '', /^Close a batch when /);
    assert.deepEqual(cells('streams.<name>.compression')?.slice(1, 3), [
      'one of `none`, `gzip`, `zstd`',
      '`none`',
    ]);
    assert.deepEqual(cells('streams.<name>.destination.bucket')?.slice(2), [
      '**required**',
      'Target bucket.',
    ]);
    assert.deepEqual(cells('streams.<name>.destination.endpoint')?.slice(1, 3), ['URL', '—']);
    assert.deepEqual(cells('redis.url')?.slice(1, 3), [
      'string, matching `^rediss?://`',
      '`redis://127.0.0.1:6379`',
    ]);
  });

  it('replaces only the text between the markers, or adds the section', () => {
    const readme = `# Sluice\n\nintro\n\n## Configuration reference\n\n${REFERENCE_START}\nold\n${REFERENCE_END}\n\n## After\n`;
    assert.equal(
      replaceConfigReference(readme, 'new\n'),
      `# Sluice\n\nintro\n\n## Configuration reference\n\n${REFERENCE_START}\nnew\n${REFERENCE_END}\n\n## After\n`,
    );
    assert.equal(
      replaceConfigReference('', 'new\n'),
      `## Configuration reference\n\n${REFERENCE_START}\nnew\n${REFERENCE_END}\n`,
    );
    assert.equal(
      replaceConfigReference('# Sluice\n', 'new\n'),
      `# Sluice\n\n## Configuration reference\n\n${REFERENCE_START}\nnew\n${REFERENCE_END}\n`,
    );
    assert.equal(extractConfigReference(replaceConfigReference(readme, 'x\n')), 'x\n');
  });
});
