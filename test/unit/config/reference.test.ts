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
  if (typeof schema.additionalProperties === 'object')
    return leafPaths(schema.additionalProperties, `${path}.<name>`);
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
    for (const path of paths)
      assert.ok(reference.includes(`| \`${path}\` |`), `${path} is not in the reference`);
    assert.ok(paths.includes('streams.<name>.buffering.sizeMiB'));
    assert.ok(paths.includes('streams.<name>.destination.credentials.secretAccessKey'));
  });

  it('gives each destination type its own section, and shows types, defaults and descriptions', () => {
    const reference = renderConfigReference();
    assert.match(reference, /^### `streams\.<name>\.destination` \(type: s3\)$/m);
    assert.match(reference, /^### `streams\.<name>\.destination` \(type: file\)$/m);
    assert.match(reference, /^### `streams\.<name>\.destination\.credentials` \(type: s3\)$/m);
    assert.match(
      reference,
      /^\| `streams\.<name>\.buffering\.sizeMiB` \| integer, 1 to 128 \| `5` \| Close a batch when .+ \|$/m,
    );
    assert.match(
      reference,
      /^\| `streams\.<name>\.compression` \| one of `none`, `gzip`, `zstd` \| `none` \| /m,
    );
    assert.match(
      reference,
      /^\| `streams\.<name>\.destination\.bucket` \| .+ \| \*\*required\*\* \| Target bucket\. \|$/m,
    );
    assert.match(reference, /^\| `streams\.<name>\.destination\.endpoint` \| URL \| — \| /m);
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
