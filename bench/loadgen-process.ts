// Runs loadgen.ts as a child process and speaks its line protocol (loadgen-protocol.ts).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { childEnv, trackChild } from '../test/support/process.js';
import type { LoadgenMessage, LoadgenOptions, LoadgenResult } from './loadgen-protocol.js';

const script = fileURLToPath(new URL('./loadgen.js', import.meta.url));

export interface LoadgenProcess {
  pid: number;
  /** Resolves once the corpus is built and the loadgen waits for start(). */
  ready: Promise<void>;
  start(): void;
  /** The final report; rejects if the process exits without one or takes longer than `timeoutMs`. */
  result(timeoutMs: number): Promise<LoadgenResult>;
  kill(): Promise<void>;
}

export function startLoadgen(options: LoadgenOptions): LoadgenProcess {
  const child = spawn(process.execPath, [script, JSON.stringify(options)], {
    env: childEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  trackChild(child);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });

  let onReady: () => void = () => {};
  let onResult: (result: LoadgenResult) => void = () => {};
  let result: LoadgenResult | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    closed.then(() => reject(new Error(`loadgen exited before it was ready: ${stderr.slice(-2000)}`)));
  });
  ready.catch(() => undefined); // reported through result() or the awaiting caller
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const message = JSON.parse(line) as LoadgenMessage;
    if (message.event === 'ready') onReady();
    else {
      result = message;
      onResult(message);
    }
  });

  return {
    pid: child.pid as number,
    ready,
    start() {
      child.stdin.write('start\n');
    },
    result(timeoutMs) {
      return new Promise((resolve, reject) => {
        if (result) return resolve(result);
        const timer = setTimeout(
          () => reject(new Error(`loadgen gave no result within ${timeoutMs} ms`)),
          timeoutMs,
        );
        onResult = (value) => {
          clearTimeout(timer);
          resolve(value);
        };
        closed.then(() => {
          clearTimeout(timer);
          if (result) resolve(result);
          else reject(new Error(`loadgen exited without a result: ${stderr.slice(-2000)}`));
        });
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await closed;
    },
  };
}
