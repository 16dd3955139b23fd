// Runs every compiled test file under dist/test with Node's test runner. Node 20's --test
// does not expand globs, so the files are listed here. Pass folder names to narrow the run:
//   node scripts/run-tests.mjs unit integration
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = 'dist/test';
const only = process.argv.slice(2);

function collect(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...collect(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const files = collect(root)
  .filter((file) => only.length === 0 || only.some((part) => file.startsWith(join(root, part))))
  .sort();
if (files.length === 0) {
  console.error(`no test files found under ${root}${only.length ? ` for ${only.join(', ')}` : ''}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
