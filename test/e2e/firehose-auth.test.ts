// Authentication of the ingest APIs, end to end: the official @aws-sdk/client-firehose signs
// with a wrong secret, an unknown key, a clock 20 minutes off and a key limited to another
// stream, and is refused as AWS refuses it; Bearer keys on the NDJSON API; and `auth.mode: none`
// refused on an address other than loopback.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { startDaemon } from '../support/process.js';
import {
  API_KEY,
  type FirehoseStack,
  LIMITED,
  LIMITED_API_KEY,
  PRODUCER,
  sdkError,
  startFirehoseStack,
} from './firehose-stack.js';
import { metricValue, testPorts, writeConfig } from './helpers.js';

describe('end to end: authentication of the Firehose and NDJSON APIs', () => {
  let stack: FirehoseStack;

  before(async () => {
    stack = await startFirehoseStack();
  });

  after(async () => {
    await stack?.stop();
  });

  it('refuses a wrong secret, an unknown key and a clock 20 minutes off, as AWS does', async () => {
    const wrongSecret = await sdkError(
      stack
        .client({ credentials: { ...PRODUCER, secretAccessKey: 'not-the-secret-0123456789' } })
        .send(new ListDeliveryStreamsCommand({})),
    );
    assert.equal(wrongSecret.name, 'InvalidSignatureException');
    assert.equal(wrongSecret.status, 400);
    assert.match(
      wrongSecret.message,
      /^The request signature we calculated does not match the signature you provided/,
    );

    const unknownKey = await sdkError(
      stack
        .client({ credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' } })
        .send(new ListDeliveryStreamsCommand({})),
    );
    assert.deepEqual(unknownKey, {
      name: 'UnrecognizedClientException',
      status: 400,
      message: 'The security token included in the request is invalid.',
    });

    const skewMs = -20 * 60 * 1000;
    const expired = await sdkError(
      stack.client({ systemClockOffset: skewMs }).send(new ListDeliveryStreamsCommand({})),
    );
    assert.equal(expired.name, 'InvalidSignatureException');
    assert.match(
      expired.message,
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
    );
    // With its retries, the SDK corrects its clock from the answer's Date header, as with AWS.
    const corrected = stack.client({ systemClockOffset: skewMs, maxAttempts: 3 });
    const answer = await corrected.send(new ListDeliveryStreamsCommand({}));
    assert.equal(answer.$metadata.attempts, 2);

    assert.ok(
      (await metricValue(stack.ports.admin, 'sluice_auth_failures_total', {
        api: 'firehose',
        reason: 'signature_mismatch',
      })) >= 1,
    );
    assert.ok(
      (await metricValue(stack.ports.admin, 'sluice_auth_failures_total', {
        api: 'firehose',
        reason: 'unknown_key',
      })) >= 1,
    );
    assert.ok(
      (await metricValue(stack.ports.admin, 'sluice_auth_failures_total', {
        api: 'firehose',
        reason: 'expired',
      })) >= 2,
    );
  });

  it('limits a key to its streams: AccessDeniedException elsewhere, and only its streams listed', async () => {
    const limited = stack.client({ credentials: LIMITED });
    const ok = await limited.send(
      new PutRecordCommand({ DeliveryStreamName: 'events', Record: { Data: Buffer.from('{"k":1}\n') } }),
    );
    assert.ok(ok.RecordId);
    const denied = await sdkError(
      limited.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'binary', Records: [{ Data: Buffer.from('x') }] }),
      ),
    );
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.status, 400);
    assert.equal(
      denied.message,
      'User: events-only is not authorized to perform: firehose:PutRecordBatch on resource: arn:aws:firehose:eu-west-1:123456789012:deliverystream/binary',
    );
    assert.deepEqual((await limited.send(new ListDeliveryStreamsCommand({}))).DeliveryStreamNames, [
      'events',
    ]);
  });

  it('takes Bearer keys on the native NDJSON API', async () => {
    const put = (stream: string, authorization?: string) =>
      fetch(`${stack.endpoint}/v1/streams/${stream}/records`, {
        method: 'POST',
        headers: authorization ? { authorization } : {},
        body: '{"native":true}\n',
      });
    const none = await put('events');
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="sluice"');
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'Unauthorized');
    assert.equal((await put('events', 'Bearer not-a-configured-key-000000')).status, 401);
    // An access key's secret is not an API key.
    assert.equal((await put('events', `Bearer ${PRODUCER.secretAccessKey}`)).status, 401);
    const ok = await put('events', `Bearer ${API_KEY}`);
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal(((await ok.json()) as { count: number }).count, 1);
    assert.equal((await put('events', `Bearer ${LIMITED_API_KEY}`)).status, 200);
    const denied = await put('binary', `Bearer ${LIMITED_API_KEY}`);
    assert.equal(denied.status, 403);
    assert.equal(((await denied.json()) as { error: { code: string } }).error.code, 'AccessDenied');
    assert.equal(
      await metricValue(stack.ports.admin, 'sluice_auth_failures_total', {
        api: 'records',
        reason: 'stream_denied',
      }),
      1,
    );
    assert.doesNotMatch(
      stack.daemon.output(),
      new RegExp(`${PRODUCER.secretAccessKey}|${API_KEY}|${LIMITED.secretAccessKey}`),
    );
  });
});

describe('end to end: auth mode none', () => {
  it('refuses to start on a non-loopback address unless allowUnauthenticated is set', async () => {
    const ports = await testPorts();
    const config = await writeConfig(`
ingest: { host: 0.0.0.0, port: ${ports.ingest} }
admin: { port: ${ports.admin} }
auth: { mode: none }
streams:
  events:
    destination: { type: file, directory: ./out }
`);
    try {
      const validate = startDaemon(['validate', '--config', config.file]);
      assert.equal((await validate.waitForExit(20_000)).code, 1);
      assert.match(
        validate.output(),
        /auth\.mode is none, but ingest\.host 0\.0\.0\.0 is not a loopback address/,
      );
      const start = startDaemon(['start', '--config', config.file]);
      assert.equal((await start.waitForExit(20_000)).code, 1);
      assert.match(start.output(), /Sluice could not start.*not a loopback address/s);
    } finally {
      await config.cleanup();
    }
  });
});
