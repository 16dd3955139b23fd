// Bad input on both ingest APIs: thousands of generated requests (fuzz-cases.ts: malformed
// JSON, bad base64, wrong types, huge and empty bodies, invalid UTF-8 in stream names and
// bodies, unknown operations and routes, failed authentication), plus what only a raw socket
// can send: garbage instead of HTTP, oversized headers, clients too slow with their headers or
// their body, and a flood of connections. The daemon must answer every request with the error
// the README documents for it, never crash, never log a storage failure, and keep its memory
// bounded; the test prints the request count and the peak RSS. The cases: fuzz-ndjson.ts,
// fuzz-firehose.ts. FUZZ_REQUESTS and FUZZ_SEED
// override the count and the seed (printed).
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/ingest/auth/sha256.js';
import { firehoseBodyLimit } from '../../src/ingest/firehose/protocol.js';
import { type DaemonProcess, startDaemon } from '../support/process.js';
import { seededRandom, seedFrom } from '../support/random.js';
import { type TestRedis, testRedis } from '../support/redis.js';
import { treeRss } from '../support/rss.js';
import type { FuzzCase, FuzzLimits } from './fuzz-cases.js';
import { firehoseCase } from './fuzz-firehose.js';
import { ndjsonCase } from './fuzz-ndjson.js';
import { type TestPorts, testPorts, writeConfig } from './helpers.js';

const KEYS = {
  producer: { accessKeyId: 'producer', secretAccessKey: 'fuzz-producer-secret-0123456789' },
  limited: { accessKeyId: 'limited', secretAccessKey: 'fuzz-limited-secret-0123456789' },
  api: 'fuzz-api-key-0123456789abcdef',
  limitedApi: 'fuzz-limited-api-key-0123456789',
};
const LIMITS: FuzzLimits = {
  maxRecordBytes: 48 * 1024,
  maxRequestBytes: 64 * 1024,
  firehoseBodyLimit: firehoseBodyLimit(48 * 1024, 64 * 1024),
};
const MAX_CONNECTIONS = 64;
const CONCURRENCY = 16;

interface Answer {
  status: number;
  code: string | undefined;
  body: Record<string, unknown>;
}

async function signed(c: FuzzCase, port: number): Promise<Record<string, string>> {
  const headers = { ...c.headers, host: `127.0.0.1:${port}` };
  if (c.api !== 'firehose' || c.signing === 'none') return headers;
  if (c.signing === 'garbage') {
    return { ...headers, authorization: 'AWS4-HMAC-SHA256 garbage', 'x-amz-date': '20260101T000000Z' };
  }
  const credentials =
    c.signing === 'limited'
      ? KEYS.limited
      : c.signing === 'unknown-key'
        ? { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'whatever-secret-0123456789' }
        : c.signing === 'wrong-secret'
          ? { ...KEYS.producer, secretAccessKey: 'not-the-secret-0123456789' }
          : KEYS.producer;
  const signer = new SignatureV4({
    service: 'firehose',
    region: 'us-east-1',
    credentials,
    sha256: NodeSha256,
  });
  const result = await signer.sign({
    method: c.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: c.path,
    query: {},
    headers,
    body: c.body,
  });
  if (c.signing === 'tamper' && c.body.length > 0) {
    const last = c.body.length - 2;
    c.body[last] = (c.body[last] as number) ^ 0x01; // changed after signing, length kept
  }
  return result.headers;
}

function send(c: FuzzCase, port: number, agent: Agent, headers: Record<string, string>): Promise<Answer> {
  const ndjsonAuth = headers.authorization;
  if (ndjsonAuth === 'Bearer PRODUCER') headers.authorization = `Bearer ${KEYS.api}`;
  if (ndjsonAuth === 'Bearer LIMITED') headers.authorization = `Bearer ${KEYS.limitedApi}`;
  if (!c.chunked) headers['content-length'] = String(c.body.length);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: c.method, path: c.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown> = {};
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            body = { unparsed: text.slice(0, 200) };
          }
          const error = body.error as { code?: string } | undefined;
          const header = res.headers['x-amzn-errortype'];
          const code = c.api === 'firehose' ? (typeof header === 'string' ? header : undefined) : error?.code;
          resolve({ status: res.statusCode ?? 0, code, body });
        });
        res.on('error', reject);
      },
    );
    // The server may answer (413, 400) and stop reading before a large body is through.
    req.on('error', reject);
    if (c.chunked) {
      for (let offset = 0; offset < c.body.length; offset += 16 * 1024) {
        req.write(c.body.subarray(offset, offset + 16 * 1024));
      }
      req.end();
    } else {
      req.end(c.body);
    }
  });
}

function matches(c: FuzzCase, answer: Answer): boolean {
  if (answer.status !== c.expect.status || answer.code !== c.expect.code) return false;
  if (c.expect.count === undefined) return true;
  if (c.api === 'ndjson') return answer.body.count === c.expect.count;
  if (c.expect.count === 1 && answer.body.RecordId !== undefined) return true;
  const responses = answer.body.RequestResponses as unknown[] | undefined;
  return answer.body.FailedPutCount === 0 && responses?.length === c.expect.count;
}

/** Writes `steps` (bytes, or a pause) to a fresh connection; returns what came back before it closed. */
function rawExchange(
  port: number,
  steps: (string | Buffer | number)[],
  maxMs: number,
): Promise<{ text: string; elapsedMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let text = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(done, maxMs);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.once('connect', async () => {
      for (const step of steps) {
        if (typeof step === 'number') await new Promise((r) => setTimeout(r, step));
        else if (!socket.destroyed) socket.write(step);
      }
    });
  });
}

/** The head and part of the body of a signed PutRecord: it passes authentication, then stalls. */
async function slowFirehoseHead(port: number): Promise<(string | Buffer)[]> {
  const body = Buffer.from(
    JSON.stringify({ DeliveryStreamName: 'events', Record: { Data: 'eyJhIjoxfQ==' } }),
  );
  const c: FuzzCase = {
    kind: 'slow',
    api: 'firehose',
    method: 'POST',
    path: '/',
    headers: { 'x-amz-target': 'Firehose_20150804.PutRecord', 'content-type': 'application/x-amz-json-1.1' },
    body,
    chunked: false,
    signing: 'producer',
    expect: { status: 408, code: 'RequestTimeout' },
  };
  const headers = { ...(await signed(c, port)), 'content-length': String(body.length) };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return [`POST / HTTP/1.1\r\n${head.join('')}\r\n`, body.subarray(0, 10)];
}

function rawCode(text: string): { status: number; code: string | undefined } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  try {
    return { status, code: (JSON.parse(body) as { error?: { code?: string } }).error?.code };
  } catch {
    return { status, code: undefined };
  }
}

describe('end to end: bad input on both ingest APIs (fuzz)', () => {
  let redis: TestRedis;
  let ports: TestPorts;
  let config: Awaited<ReturnType<typeof writeConfig>>;
  let daemon: DaemonProcess;
  const sent = new Map<string, number>();
  let raw = 0;

  before(async () => {
    redis = await testRedis();
    ports = await testPorts();
    config = await writeConfig(`
redis: { url: ${redis.url}, keyPrefix: ${redis.prefix} }
ingest:
  port: ${ports.ingest}
  maxRecordBytes: ${LIMITS.maxRecordBytes}
  maxRequestBytes: ${LIMITS.maxRequestBytes}
  headersTimeoutSeconds: 1
  requestTimeoutSeconds: 2
  maxConnections: ${MAX_CONNECTIONS}
admin: { port: ${ports.admin} }
auth:
  mode: keys
  accessKeys:
    - { accessKeyId: ${KEYS.producer.accessKeyId}, secretAccessKey: ${KEYS.producer.secretAccessKey} }
    - { accessKeyId: ${KEYS.limited.accessKeyId}, secretAccessKey: ${KEYS.limited.secretAccessKey}, streams: [other] }
  apiKeys:
    - { key: ${KEYS.api} }
    - { key: ${KEYS.limitedApi}, streams: [other] }
streams:
  events:
    buffering: { sizeMiB: 1, intervalSeconds: 1 }
    destination: { type: file, directory: landing }
  other:
    destination: { type: file, directory: landing }
`);
    daemon = startDaemon(['start', '--config', config.file]);
    await daemon.waitForOutput(/Sluice started/, 20_000);
  });

  after(async () => {
    daemon?.kill('SIGKILL');
    await daemon?.waitForExit(10_000).catch(() => undefined);
    await redis?.cleanup();
    await config?.cleanup();
  });

  it('answers thousands of generated requests each with its documented error, slow clients included', async () => {
    const seed = seedFrom(process.env.FUZZ_SEED);
    const total = Number(process.env.FUZZ_REQUESTS ?? 3000);
    const rnd = seededRandom(seed);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const wrong: string[] = [];
    const cases = Array.from({ length: total }, () =>
      rnd.chance(0.5) ? ndjsonCase(rnd, LIMITS) : firehoseCase(rnd, LIMITS),
    );

    // Slow clients, at the same time: headers that never finish, a body that stops halfway.
    const slow = (async () => {
      const results = await Promise.all([
        rawExchange(ports.ingest, ['POST / HTTP/1.1\r\nHost: x\r\n'], 6000),
        rawExchange(
          ports.ingest,
          ['POST /v1/streams/events/records HTTP/1.1\r\nHost: x\r\nX-Slow: ', 300, 'a', 300, 'b'],
          6000,
        ),
        rawExchange(
          ports.ingest,
          [
            `POST /v1/streams/events/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.api}\r\nContent-Length: 1000\r\n\r\n{"a":`,
          ],
          6000,
        ),
        rawExchange(ports.ingest, await slowFirehoseHead(ports.ingest), 6000),
      ]);
      for (const result of results) {
        const { status, code } = rawCode(result.text);
        if (status !== 408 || code !== 'RequestTimeout')
          wrong.push(`slow client: got ${result.text.slice(0, 200)}`);
        if (result.elapsedMs > 5000) wrong.push(`slow client answered only after ${result.elapsedMs} ms`);
      }
      raw += results.length;
    })();

    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const c = cases[next] as FuzzCase;
        next += 1;
        sent.set(c.kind, (sent.get(c.kind) ?? 0) + 1);
        const expectedLabel = `${c.expect.status} ${c.expect.code ?? 'ok'}`;
        try {
          const answer = await send(c, ports.ingest, agent, await signed(c, ports.ingest));
          if (!matches(c, answer)) {
            wrong.push(
              `${c.kind}: expected ${expectedLabel}, got ${answer.status} ${answer.code} ${JSON.stringify(answer.body).slice(0, 300)}`,
            );
          }
        } catch (error) {
          wrong.push(`${c.kind}: expected ${expectedLabel}, request failed: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await slow;
    agent.destroy();
    assert.deepEqual(
      wrong.slice(0, 10),
      [],
      `${wrong.length} of ${total} answers were not the documented ones (seed ${seed})`,
    );
    process.stdout.write(
      `# fuzz: seed ${seed}, ${total} generated requests: ${JSON.stringify(Object.fromEntries(sent))}\n`,
    );
  });

  it('answers what is not HTTP with 400 or 431, and survives a flood of connections', async () => {
    const cases: [(string | Buffer | number)[], number, string][] = [
      [['GARBAGE\r\n\r\n'], 400, 'MalformedRequest'],
      [[Buffer.from([0, 1, 2, 3, 13, 10, 13, 10])], 400, 'MalformedRequest'],
      [['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'], 400, 'MalformedRequest'],
      [
        ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
        400,
        'MalformedRequest',
      ],
      [[`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`], 431, 'HeadersTooLarge'],
    ];
    for (const [steps, status, code] of cases) {
      const { text } = await rawExchange(ports.ingest, steps, 3000);
      assert.deepEqual(rawCode(text), { status, code }, text.slice(0, 200));
      raw += 1;
    }

    // More connections than maxConnections, all at once: the extra ones are closed at once.
    const sockets = await Promise.all(
      Array.from(
        { length: MAX_CONNECTIONS * 3 },
        () =>
          new Promise<{ socket: Socket; dropped: () => boolean }>((resolve) => {
            let closed = false;
            const socket = connect(ports.ingest, '127.0.0.1', () =>
              resolve({ socket, dropped: () => closed }),
            );
            socket.on('close', () => {
              closed = true;
            });
            socket.on('error', () => undefined);
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 500));
    const dropped = sockets.filter((s) => s.dropped()).length;
    for (const { socket } of sockets) socket.destroy();
    raw += sockets.length;
    assert.ok(dropped >= MAX_CONNECTIONS, `connections past the limit were dropped (${dropped})`);
    await new Promise((r) => setTimeout(r, 200));

    // Still serving, still alive, nothing logged as a storage failure.
    const answer = await fetch(`http://127.0.0.1:${ports.ingest}/v1/streams/events/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.api}` },
      body: '{"after":"the flood"}',
    });
    assert.equal(answer.status, 200);
    assert.equal(daemon.child.exitCode, null, 'the daemon is running');
    assert.doesNotMatch(daemon.output(), /"level":"error"/);
    const rss = await treeRss(daemon.child.pid as number);
    const requests = [...sent.values()].reduce((a, b) => a + b, 0) + raw;
    process.stdout.write(
      `# fuzz: ${requests} requests and connections in all; daemon (${rss.processes} processes) RSS now ${rss.rssMiB.toFixed(0)} MiB in all, peak RSS per process ${rss.peaksMiB.join(', ')} MiB\n`,
    );
    assert.ok(rss.peakMiB < 400, `peak RSS ${rss.peakMiB.toFixed(0)} MiB of a process stays bounded`);
  });
});
