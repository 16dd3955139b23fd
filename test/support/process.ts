import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface DaemonProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved in arrival order. */
  output(): string;
  /**
   * Resolves with the matched text once the output matches `re` (output already seen counts).
   * Rejects on timeout or if the process exits first; the error carries the output.
   */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Rejects on timeout without killing the process. */
  waitForExit(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (default SIGTERM) if the process is still running. */
  kill(signal?: NodeJS.Signals): void;
}

/** Compiled CLI entry point: this file is dist/test/support/process.js. */
export const cliPath = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Makes sure `child` is SIGKILLed if the test process exits while it still runs (a failed
 * assertion skips the test's own cleanup). Piped children otherwise outlive their parent and
 * keep ports, Redis consumers and temp dirs busy for the next run.
 */
export function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const running of live) running.kill('SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/**
 * Environment for a spawned Node child: the parent's, minus node:test's marker (a child that
 * imported node:test would otherwise think it is a test file run by our runner), plus `extra`.
 * A key set to undefined in `extra` removes it, because spawn() skips undefined values.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function tail(text: string, max = 4000): string {
  return text.length <= max ? text : `...${text.slice(-max)}`;
}

/**
 * Runs `node dist/src/cli.js ...args`; `env` is merged over the test process's environment.
 * `script` replaces the CLI (the helpers' own tests use it).
 */
export function startDaemon(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; script?: string } = {},
): DaemonProcess {
  const script = opts.script ?? cliPath;
  const child = spawn(process.execPath, [script, ...args], {
    cwd: opts.cwd ?? process.cwd(),
    env: childEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);

  let output = '';
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };

  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    output += chunk;
    notify();
  });
  child.stderr?.on('data', (chunk: string) => {
    output += chunk;
    notify();
  });
  child.once('error', (err) => {
    spawnError = err;
    notify();
  });
  // 'close' rather than 'exit': it fires after stdout/stderr are drained, so output() is complete
  // by the time waitForExit resolves.
  child.once('close', (code, signal) => {
    exited = { code, signal };
    notify();
  });

  const describe = (): string => `pid ${child.pid ?? '?'} (${[script, ...args].join(' ')})`;

  function waitForOutput(re: RegExp, timeoutMs = 10_000): Promise<string> {
    // A global or sticky regex keeps lastIndex between test() calls and would skip matches.
    const pattern = new RegExp(re.source, re.flags.replace(/[gy]/g, ''));
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(output);
        if (match) {
          finish();
          resolve(match[0]);
        } else if (spawnError) {
          finish();
          reject(new Error(`daemon ${describe()} failed to start: ${spawnError.message}`));
        } else if (exited) {
          finish();
          reject(
            new Error(
              `daemon ${describe()} exited (code ${exited.code}, signal ${exited.signal}) ` +
                `before its output matched ${re}; output:\n${tail(output)}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${re} from daemon ${describe()}; output:\n${tail(output)}`,
          ),
        );
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  }

  function waitForExit(timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (exited) {
          finish();
          resolve(exited);
        } else if (spawnError) {
          finish();
          reject(new Error(`daemon ${describe()} failed to start: ${spawnError.message}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(`daemon ${describe()} did not exit within ${timeoutMs} ms; output:\n${tail(output)}`),
        );
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  }

  return {
    child,
    output: () => output,
    waitForOutput,
    waitForExit,
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (!exited && child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/**
 * Polls `probe` until it returns something other than undefined or false, and returns that.
 * Errors thrown by the probe count as "not yet" (a server that is still starting refuses
 * connections); the last one is quoted if the wait times out.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  opts: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> {
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why =
        lastError === undefined
          ? ''
          : `; last probe error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${why}`);
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))),
    );
  }
}
