// Security of a deployment, end to end: ingest over TLS (a self-signed certificate made with
// openssl for the test) on both APIs, plain HTTP refused on that port; the admin server on
// loopback unless told otherwise; a SigV4 request replayed after the 15-minute window refused;
// and no secret in the logs of a run at debug level that exercised every path that logs:
// access and API keys (right and wrong ones presented), the Redis password (Redis restarted
// under the daemon, so connection errors are logged), S3 credentials (a stream whose
// deliveries fail and are logged), and the TLS private key.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { SignatureV4 } from '@smithy/signature-v4';
import { configSchema } from '../../src/config/schema.js';
import { NodeSha256 } from '../../src/ingest/auth/sha256.js';
import { type DaemonProcess, startDaemon, waitFor } from '../support/process.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { type S3TestServer, startS3Server } from '../support/s3server.js';
import { sdkError } from './firehose-stack.js';
import { deliveredLines, sleep, type TestPorts, testPorts, writeConfig } from './helpers.js';

const SECRETS = {
  producer: 'tls-producer-secret-5f1d9a0c2b7e',
  apiKey: 'tls-api-key-3c8e1b7a9d2f4e60',
  redisPassword: 'redis-password-8a7b6c5d4e3f',
  s3Secret: 'wrong-s3-secret-9e8d7c6b5a41',
  presentedWrongKey: 'presented-wrong-key-2b4d6f8h',
};

describe('end to end: TLS, replay, admin binding and secrets in logs', () => {
  let redis: RedisServer;
  let s3: S3TestServer;
  let ports: TestPorts;
  let config: Awaited<ReturnType<typeof writeConfig>>;
  let daemon: DaemonProcess;
  let ca: Buffer;
  let agent: Agent;

  before(async () => {
    redis = await startRedisServer({ requirePass: SECRETS.redisPassword });
    s3 = await startS3Server({ buckets: ['landing'] });
    ports = await testPorts();
    config = await writeConfig(''); // the directory; the file is written once the cert exists
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
        ...['-keyout', join(config.dir, 'key.pem'), '-out', join(config.dir, 'cert.pem'), '-days', '1'],
        ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(join(config.dir, 'cert.pem'));
    agent = new Agent({ ca, keepAlive: true });
    // s3rver does not check signatures: the failing stream fails on a bucket that does not exist.
    const s3Destination = (bucket: string, secret: string) =>
      `{ type: s3, bucket: ${bucket}, endpoint: "${s3.endpoint}", forcePathStyle: true, credentials: { accessKeyId: S3RVER, secretAccessKey: "${secret}" } }`;
    const yaml = `
redis: { url: "\${REDIS_URL}", keyPrefix: secure }
ingest:
  port: ${ports.ingest}
  tls: { certFile: cert.pem, keyFile: key.pem }
admin: { port: ${ports.admin} }
auth:
  mode: keys
  accessKeys: [{ accessKeyId: producer, secretAccessKey: "\${PRODUCER_SECRET}" }]
  apiKeys: [{ key: "\${API_KEY}" }]
streams:
  events:
    buffering: { sizeMiB: 1, intervalSeconds: 0 }
    destination: ${s3Destination('landing', 'S3RVER')}
  failing:
    buffering: { sizeMiB: 1, intervalSeconds: 0 }
    retry: { initialBackoffSeconds: 0.2, maxBackoffSeconds: 0.5 }
    destination: ${s3Destination('missing-bucket', '$' + '{S3_SECRET}')}
`;
    await writeFile(config.file, yaml);
    daemon = startDaemon(['start', '--config', config.file], {
      env: {
        SLUICE_LOG_LEVEL: 'debug',
        REDIS_URL: redis.url,
        PRODUCER_SECRET: SECRETS.producer,
        API_KEY: SECRETS.apiKey,
        S3_SECRET: SECRETS.s3Secret,
      },
    });
    await daemon.waitForOutput(/Sluice started/, 20_000);
  });

  after(async () => {
    agent?.destroy();
    daemon?.kill('SIGKILL');
    await daemon?.waitForExit(10_000).catch(() => undefined);
    await s3?.stop();
    await redis?.destroy();
    await config?.cleanup();
  });

  const putNdjsonTls = (
    stream: string,
    body: string,
    key: string,
  ): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: ports.ingest,
          method: 'POST',
          path: `/v1/streams/${stream}/records`,
          headers: { authorization: `Bearer ${key}` },
          agent,
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('serves both APIs over TLS and refuses plain HTTP on the TLS port', async () => {
    const answer = await putNdjsonTls('events', '{"id":"tls-1"}\n{"id":"tls-2"}', SECRETS.apiKey);
    assert.equal(answer.status, 200, answer.text);
    const firehose = new FirehoseClient({
      endpoint: `https://127.0.0.1:${ports.ingest}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'producer', secretAccessKey: SECRETS.producer },
      requestHandler: { httpsAgent: agent },
      maxAttempts: 1,
    });
    const batch = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'events',
        Records: [{ Data: Buffer.from('{"id":"tls-3"}\n') }],
      }),
    );
    assert.equal(batch.FailedPutCount, 0);
    firehose.destroy();
    await assert.rejects(
      fetch(`http://127.0.0.1:${ports.ingest}/v1/streams/events/records`, { method: 'POST', body: '{}' }),
    );
    // A client that does not trust the certificate refuses the server.
    await assert.rejects(fetch(`https://127.0.0.1:${ports.ingest}/`, { method: 'POST' }));
    const landed = await waitFor(
      async () => {
        const { lines } = await deliveredLines(s3, 'landing');
        return lines.length >= 3 ? lines.map(({ line }) => line) : undefined;
      },
      { timeoutMs: 15_000, what: 'the records put over TLS to land' },
    );
    assert.deepEqual(landed.sort(), ['{"id":"tls-1"}', '{"id":"tls-2"}', '{"id":"tls-3"}']);
  });

  it('refuses a SigV4 request replayed after the 15-minute window', async () => {
    // A request signed 16 minutes ago, sent now: exactly what a replay after 16 minutes is.
    const body = JSON.stringify({
      DeliveryStreamName: 'events',
      Record: { Data: 'eyJpZCI6InJlcGxheSJ9Cg==' },
    });
    const signer = new SignatureV4({
      service: 'firehose',
      region: 'us-east-1',
      credentials: { accessKeyId: 'producer', secretAccessKey: SECRETS.producer },
      sha256: NodeSha256,
    });
    const send = async (
      signingDate: Date,
    ): Promise<{ status: number; text: string; type: string | undefined }> => {
      const signed = await signer.sign(
        {
          method: 'POST',
          protocol: 'https:',
          hostname: '127.0.0.1',
          port: ports.ingest,
          path: '/',
          query: {},
          headers: {
            host: `127.0.0.1:${ports.ingest}`,
            'x-amz-target': 'Firehose_20150804.PutRecord',
            'content-type': 'application/x-amz-json-1.1',
          },
          body,
        },
        { signingDate },
      );
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: ports.ingest,
            method: 'POST',
            path: '/',
            headers: signed.headers,
            agent,
          },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => {
              text += chunk.toString();
            });
            res.on('end', () => {
              const type = res.headers['x-amzn-errortype'];
              resolve({
                status: res.statusCode ?? 0,
                text,
                type: typeof type === 'string' ? type : undefined,
              });
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    };
    const fresh = await send(new Date());
    assert.equal(fresh.status, 200, fresh.text);
    const replayed = await send(new Date(Date.now() - 16 * 60 * 1000));
    assert.equal(replayed.status, 400);
    assert.equal(replayed.type, 'InvalidSignatureException');
    assert.match(replayed.text, /Signature expired: \d{8}T\d{6}Z is now earlier than/);
  });

  it('keeps the admin server on loopback unless configured otherwise', () => {
    const defaults = configSchema.parse({
      auth: { mode: 'none' },
      streams: { s: { destination: { type: 'file', directory: 'x' } } },
    });
    assert.equal(defaults.admin.host, '127.0.0.1');
    assert.equal(defaults.ingest.host, '127.0.0.1');
    assert.match(daemon.output(), new RegExp(`"admin":"127\\.0\\.0\\.1:${ports.admin}"`));
  });

  it('logs no secret, at debug level, through auth failures, Redis restarts and failing deliveries', async () => {
    const wrong = await putNdjsonTls('events', '{"id":"x"}', SECRETS.presentedWrongKey);
    assert.equal(wrong.status, 401);
    const firehose = new FirehoseClient({
      endpoint: `https://127.0.0.1:${ports.ingest}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'producer', secretAccessKey: SECRETS.presentedWrongKey },
      requestHandler: { httpsAgent: agent },
      maxAttempts: 1,
    });
    const refused = await sdkError(
      firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records: [{ Data: Buffer.from('x') }] }),
      ),
    );
    assert.equal(refused.name, 'InvalidSignatureException');
    firehose.destroy();
    assert.equal((await putNdjsonTls('failing', '{"id":"fails"}', SECRETS.apiKey)).status, 200);
    await daemon.waitForOutput(/Batch delivery failed/, 15_000); // the wrong S3 secret, logged
    await redis.kill(); // connection errors, logged, until it is back
    await sleep(1000);
    await redis.restart();
    await sleep(1500);
    assert.equal((await putNdjsonTls('events', '{"id":"after-restart"}', SECRETS.apiKey)).status, 200);
    daemon.kill('SIGTERM');
    await daemon.waitForExit(30_000);

    const log = daemon.output();
    assert.match(log, /"level":"debug"/, 'the run logged at debug level');
    assert.match(log, /connection error/, 'the Redis restart was logged');
    const key = readFileSync(join(config.dir, 'key.pem'), 'utf8').split('\n')[1] as string;
    for (const [name, secret] of [...Object.entries(SECRETS), ['tls key', key] as const]) {
      assert.ok(!log.includes(secret), `${name} appears in the log`);
    }
  });
});
