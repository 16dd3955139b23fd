// The `sluice` command line: validate reports config mistakes with file, line and path and
// exits non-zero; start refuses a Redis that could evict records, and one it cannot reach.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '../support/ports.js';
import { startDaemon, trackChild, waitFor } from '../support/process.js';
import { testRedis } from '../support/redis.js';
import { writeConfig } from './helpers.js';

async function run(args: string[]) {
  const daemon = startDaemon(args);
  const exit = await daemon.waitForExit(30_000);
  return { code: exit.code, output: daemon.output() };
}

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function config(yaml: string): Promise<string> {
  const written = await writeConfig(yaml);
  cleanups.push(written.cleanup);
  return written.file;
}

const VALID = `
auth: { mode: none }
streams:
  clicks:
    destination: { type: file, directory: ./out }
`;

describe('sluice validate', () => {
  it('accepts a valid config and names its streams', async () => {
    const file = await config(VALID);
    const result = await run(['validate', '--config', file]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /valid; 1 stream\(s\): clicks/);
  });

  it('rejects mistakes with file:line:col, the YAML path and the reason', async () => {
    const file = await config(`streams:
  clicks:
    buffering:
      sizeMiB: 500
    compresion: gzip
    destination: { type: file, directory: ./out }
auth: { mode: none }
`);
    const result = await run(['validate', '--config', file]);
    assert.equal(result.code, 1);
    assert.match(
      result.output,
      /sluice\.yaml:4:16 streams\.clicks\.buffering\.sizeMiB: must be an integer between 1 and 128/,
    );
    assert.match(result.output, /sluice\.yaml:5:5 streams\.clicks\.compresion: unknown key/);
  });

  it('refuses a missing file and an unknown command', async () => {
    assert.equal((await run(['validate', '--config', '/nonexistent/sluice.yaml'])).code, 1);
    assert.equal((await run(['frobnicate', '--config', 'x'])).code, 2);
  });
});

describe('sluice start', () => {
  it('refuses to start when Redis could evict acked records', async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'sluice-evicting-redis-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const redis = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--dir',
        dir,
        '--maxmemory-policy',
        'allkeys-lru',
      ],
      { stdio: 'ignore' },
    );
    trackChild(redis);
    cleanups.push(async () => {
      redis.kill('SIGKILL');
    });
    await waitFor(async () => redis.exitCode === null && (await redisAnswers(port)), {
      timeoutMs: 10_000,
      what: 'the evicting redis-server to listen',
    });
    const file = await config(`redis: { url: "redis://127.0.0.1:${port}" }
ingest: { port: ${await freePort()} }
admin: { port: ${await freePort()} }
${VALID}`);
    const result = await run(['start', '--config', file]);
    assert.equal(result.code, 1);
    assert.match(result.output, /maxmemory-policy is \\?"allkeys-lru\\?"; Sluice needs \\?"noeviction\\?"/);
  });

  it('refuses to start when a transform module cannot be loaded', async () => {
    const redis = await testRedis();
    cleanups.push(() => redis.cleanup());
    const file = await config(`auth: { mode: none }
redis: { url: "${redis.url}", keyPrefix: ${redis.prefix} }
ingest: { port: ${await freePort()} }
admin: { port: ${await freePort()} }
streams:
  clicks:
    processing: [{ type: transform, module: ./no-such-transform.mjs }]
    destination: { type: file, directory: ./out }
`);
    const result = await run(['start', '--config', file]);
    assert.equal(result.code, 1);
    assert.match(
      result.output,
      /stream \\?"clicks\\?": transform \.\/no-such-transform\.mjs#handler: .*(Cannot find module|ERR_MODULE_NOT_FOUND)/,
    );
  });

  it('exits non-zero with the cause when Redis cannot be reached', async () => {
    const file = await config(`redis: { url: "redis://127.0.0.1:${await freePort()}" }
ingest: { port: ${await freePort()} }
admin: { port: ${await freePort()} }
${VALID}`);
    const result = await run(['start', '--config', file]);
    assert.equal(result.code, 1);
    assert.match(
      result.output,
      /cannot connect to Redis at redis:\/\/127\.0\.0\.1:\d+\/?: connect ECONNREFUSED/,
    );
  });
});

async function redisAnswers(port: number): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    const socket = new Socket();
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}
