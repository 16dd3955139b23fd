// Writes the configuration reference, generated from the zod schema, into README.md between
// the config-reference markers (creating README.md or the section when missing). Run it with
// `npm run docs` after changing src/config/schema.ts; a unit test fails until you do.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderConfigReference, replaceConfigReference } from '../src/config/reference.js';

// Compiled to dist/scripts/, so the project root is two levels up whatever the working directory.
const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));

async function main(): Promise<void> {
  let readme = '';
  try {
    readme = await readFile(readmePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const updated = replaceConfigReference(readme, renderConfigReference());
  if (updated === readme) {
    console.log(`${readmePath}: configuration reference is up to date`);
    return;
  }
  await writeFile(readmePath, updated);
  console.log(`${readmePath}: configuration reference updated`);
}

await main();
