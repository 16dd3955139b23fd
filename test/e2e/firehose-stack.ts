// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the config reads its secrets through ${VAR}.
// The daemon behind the Firehose API tests, with an S3-compatible server and its own Redis
// prefix: keys required (one access key for every stream, one limited to `events`, and two
// Bearer keys likewise), secrets passed through the environment, and three streams:
//   events, binary  delivered to bucket `landing` within about a second
//   blocked         a 1 MiB backlog and a bucket (`late`) that does not exist until a test makes it
import assert from 'node:assert/strict';
import { FirehoseClient, type FirehoseClientConfig } from '@aws-sdk/client-firehose';
import { type DaemonProcess, startDaemon } from '../support/process.js';
import { type TestRedis, testRedis } from '../support/redis.js';
import { type S3TestServer, startS3Server } from '../support/s3server.js';
import { type TestPorts, testPorts, writeConfig } from './helpers.js';

export const PRODUCER = { accessKeyId: 'producer', secretAccessKey: 'producer-secret-0123456789abcdef' };
export const LIMITED = { accessKeyId: 'events-only', secretAccessKey: 'limited-secret-0123456789abcdef' };
export const API_KEY = 'native-api-key-0123456789abcdef';
export const LIMITED_API_KEY = 'native-events-only-0123456789ab';

export interface FirehoseStack {
  s3: S3TestServer;
  redis: TestRedis;
  ports: TestPorts;
  daemon: DaemonProcess;
  /** http://127.0.0.1:<ingest port> */
  endpoint: string;
  /** An SDK client signing as PRODUCER for eu-west-1, without retries unless overridden. */
  client(overrides?: Partial<FirehoseClientConfig>): FirehoseClient;
  stop(): Promise<void>;
}

export async function startFirehoseStack(): Promise<FirehoseStack> {
  const s3 = await startS3Server({ buckets: ['landing'] });
  const redis = await testRedis();
  const ports = await testPorts();
  const endpoint = `http://127.0.0.1:${ports.ingest}`;
  const s3Destination = (bucket: string, prefix: string) =>
    `{ type: s3, bucket: ${bucket}, prefix: "${prefix}", endpoint: "${s3.endpoint}", forcePathStyle: true, credentials: { accessKeyId: S3RVER, secretAccessKey: S3RVER } }`;
  const config = await writeConfig(`
redis: { url: ${redis.url}, keyPrefix: ${redis.prefix} }
ingest:
  port: ${ports.ingest}
  firehose: { region: eu-west-1, accountId: "123456789012" }
admin: { port: ${ports.admin} }
auth:
  mode: keys
  accessKeys:
    - accessKeyId: ${PRODUCER.accessKeyId}
      secretAccessKey: \${PRODUCER_SECRET}
    - accessKeyId: ${LIMITED.accessKeyId}
      secretAccessKey: \${LIMITED_SECRET}
      streams: [events]
  apiKeys:
    - key: \${API_KEY}
    - key: \${LIMITED_API_KEY}
      streams: [events]
streams:
  events:
    buffering: { sizeMiB: 8, intervalSeconds: 1 }
    destination: ${s3Destination('landing', 'events/')}
  binary:
    buffering: { sizeMiB: 8, intervalSeconds: 1 }
    destination: ${s3Destination('landing', 'binary/')}
  blocked:
    buffering: { sizeMiB: 1, intervalSeconds: 0 }
    maxBacklogMiB: 1
    retry: { initialBackoffSeconds: 0.2, maxBackoffSeconds: 1 }
    destination: ${s3Destination('late', 'blocked/')}
`);
  const daemon = startDaemon(['start', '--config', config.file], {
    env: {
      PRODUCER_SECRET: PRODUCER.secretAccessKey,
      LIMITED_SECRET: LIMITED.secretAccessKey,
      API_KEY,
      LIMITED_API_KEY,
    },
  });
  await daemon.waitForOutput(/Sluice started/, 20_000);
  return {
    s3,
    redis,
    ports,
    daemon,
    endpoint,
    client: (overrides = {}) =>
      new FirehoseClient({
        endpoint,
        region: 'eu-west-1',
        credentials: PRODUCER,
        maxAttempts: 1,
        ...overrides,
      }),
    async stop() {
      daemon.kill('SIGKILL');
      await daemon.waitForExit(10_000).catch(() => undefined);
      await s3.stop();
      await redis.cleanup();
      await config.cleanup();
    },
  };
}

/** What an SDK call failed with, as the SDK parsed it. */
export async function sdkError(
  call: Promise<unknown>,
): Promise<{ name: string; status?: number; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  assert.fail('expected the call to fail');
}
