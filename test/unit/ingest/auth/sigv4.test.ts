// SigV4 verification: requests signed by independent signers verify, and every way a request
// can be wrong is refused with the error AWS gives it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { IngestAuth } from '../../../../src/ingest/auth/keys.js';
import { NodeSha256 } from '../../../../src/ingest/auth/sha256.js';
import { CLOCK_SKEW_MS, type SignedRequest, verifySigV4 } from '../../../../src/ingest/auth/sigv4.js';
import { FirehoseError } from '../../../../src/ingest/firehose/errors.js';

const KEY_ID = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const auth = new IngestAuth({
  mode: 'keys',
  allowUnauthenticated: false,
  accessKeys: [
    { accessKeyId: KEY_ID, secretAccessKey: SECRET },
    { accessKeyId: 'limited', secretAccessKey: 'another-secret-0123456789', streams: ['events'] },
  ],
  apiKeys: [],
});

// Signed by botocore 1.43 (the AWS CLI's signer, an implementation independent of the AWS
// SDK for JavaScript): SigV4Auth(Credentials(KEY_ID, SECRET), 'firehose', 'eu-west-1').
const BOTOCORE = {
  body: '{"DeliveryStreamName":"events","Record":{"Data":"aGVsbG8gd29ybGQK"}}',
  date: '20261126T202728Z',
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/eu-west-1/firehose/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=7e76b960f0ee6abbdbc6248c11c1efa2e5f0b243c2785d9183c28eda243f19a5',
};
const BOTOCORE_NOW = Date.UTC(2026, 10, 26, 20, 27, 30);

function botocoreRequest(): SignedRequest {
  return {
    method: 'POST',
    path: '/',
    query: {},
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'Firehose_20150804.PutRecord',
      'user-agent': 'aws-cli/1.45.11',
      host: '127.0.0.1:4573',
      'x-amz-date': BOTOCORE.date,
      authorization: BOTOCORE.authorization,
      'content-length': String(BOTOCORE.body.length),
    },
    body: Buffer.from(BOTOCORE.body),
  };
}

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

interface SignOptions {
  secret?: string;
  keyId?: string;
  date?: number;
  body?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  region?: string;
  service?: string;
  signable?: string[];
}

/** Signs a request the way the AWS SDK for JavaScript v3 does, and returns it as received. */
async function signed(options: SignOptions = {}): Promise<SignedRequest> {
  const body = options.body ?? '{"DeliveryStreamName":"events"}';
  const signer = new SignatureV4({
    service: options.service ?? 'firehose',
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: options.keyId ?? KEY_ID, secretAccessKey: options.secret ?? SECRET },
    sha256: NodeSha256,
  });
  const headers: Record<string, string> = {
    host: '127.0.0.1:4573',
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'Firehose_20150804.DescribeDeliveryStream',
    ...options.headers,
  };
  const request = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: '/',
      query: options.query ?? {},
      headers,
      body,
    },
    { signingDate: new Date(options.date ?? NOW), signableHeaders: new Set(options.signable ?? []) },
  );
  return {
    method: 'POST',
    path: '/',
    query: options.query ?? {},
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: Buffer.from(body),
  };
}

async function refusal(request: SignedRequest, now = NOW): Promise<FirehoseError> {
  try {
    await verifySigV4(request, auth, now);
  } catch (error) {
    assert.ok(error instanceof FirehoseError, String(error));
    return error;
  }
  assert.fail('expected the request to be refused');
}

function withHeaders(request: SignedRequest, headers: Record<string, string | undefined>): SignedRequest {
  const merged: Record<string, string> = { ...request.headers };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  return { ...request, headers: merged };
}

describe('verifySigV4: accepted', () => {
  it('accepts a request signed by botocore (the AWS CLI), which sends no x-amz-content-sha256', async () => {
    const key = await verifySigV4(botocoreRequest(), auth, BOTOCORE_NOW);
    assert.equal(key.keyId, KEY_ID);
    assert.equal(key.streams, undefined);
  });

  it('accepts a request signed like the JS SDK, with a signed x-amz-content-sha256', async () => {
    const request = await signed();
    assert.match(request.headers.authorization ?? '', /SignedHeaders=.*x-amz-content-sha256/);
    assert.equal((await verifySigV4(request, auth, NOW)).keyId, KEY_ID);
  });

  it('accepts any region in the credential scope, and returns the key with its stream limit', async () => {
    const request = await signed({
      region: 'ap-south-2',
      keyId: 'limited',
      secret: 'another-secret-0123456789',
    });
    const key = await verifySigV4(request, auth, NOW);
    assert.deepEqual([...(key.streams ?? [])], ['events']);
  });

  it('verifies over exactly the signed headers, including ones signers usually skip, and the query', async () => {
    const request = await signed({
      headers: { 'user-agent': 'agent/1.0', 'x-custom': '  a   b  ' },
      signable: ['user-agent'],
      query: { b: '2', a: 'x y' },
    });
    assert.match(request.headers.authorization ?? '', /user-agent/);
    await verifySigV4(request, auth, NOW);
    // Headers that were not signed may change on the way (proxies add some).
    await verifySigV4(
      withHeaders(request, { 'x-forwarded-for': '10.0.0.1', 'content-length': '31' }),
      auth,
      NOW,
    );
  });

  it('accepts a signature up to 15 minutes old or early', async () => {
    await verifySigV4(await signed({ date: NOW - CLOCK_SKEW_MS }), auth, NOW);
    await verifySigV4(await signed({ date: NOW + CLOCK_SKEW_MS }), auth, NOW);
  });
});

describe('verifySigV4: refused', () => {
  it('a request without an Authorization header: MissingAuthenticationTokenException, 403', async () => {
    const error = await refusal(withHeaders(await signed(), { authorization: undefined }));
    assert.equal(error.type, 'MissingAuthenticationTokenException');
    assert.equal(error.status, 403);
    assert.equal(error.message, 'Missing Authentication Token');
    assert.equal(error.authFailure, 'missing');
  });

  it('an unknown access key: UnrecognizedClientException', async () => {
    const error = await refusal(await signed({ keyId: 'AKIAUNKNOWN' }));
    assert.equal(error.type, 'UnrecognizedClientException');
    assert.equal(error.status, 400);
    assert.equal(error.message, 'The security token included in the request is invalid.');
    assert.equal(error.authFailure, 'unknown_key');
  });

  it('a session token, which no configured key has: UnrecognizedClientException', async () => {
    const request = await signed({ headers: { 'x-amz-security-token': 'token' } });
    assert.equal((await refusal(request)).type, 'UnrecognizedClientException');
  });

  it('the wrong secret: InvalidSignatureException, with the canonical request expected', async () => {
    const error = await refusal(await signed({ secret: 'not-the-secret-at-all' }));
    assert.equal(error.type, 'InvalidSignatureException');
    assert.equal(error.authFailure, 'signature_mismatch');
    assert.match(
      error.message,
      /^The request signature we calculated does not match the signature you provided\./,
    );
    assert.match(
      error.message,
      /The Canonical String for this request should have been\n'POST\n\/\n\ncontent-type:/,
    );
    assert.match(
      error.message,
      /The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20260115T120000Z\n20260115\/us-east-1\/firehose\/aws4_request\n[0-9a-f]{64}'/,
    );
  });

  it('the canonical request in the message is the one whose signature was expected', async () => {
    // The string to sign of the message, signed with the right key, is the valid signature.
    const request = await signed({ secret: 'not-the-secret-at-all' });
    const stringToSign = /The String-to-Sign should have been\n'([^']*)'/.exec(
      (await refusal(request)).message,
    )?.[1];
    const signer = new SignatureV4({
      service: 'firehose',
      region: 'us-east-1',
      credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
      sha256: NodeSha256,
    });
    const good = await signed();
    const expected = /Signature=([0-9a-f]{64})/.exec(good.headers.authorization ?? '')?.[1];
    assert.equal(await signer.sign(stringToSign ?? '', { signingDate: new Date(NOW) }), expected);
  });

  it('a body changed after signing, with or without x-amz-content-sha256', async () => {
    const request = { ...(await signed()), body: Buffer.from('{"DeliveryStreamName":"other"}') };
    const error = await refusal(request);
    assert.equal(error.type, 'InvalidSignatureException');
    assert.match(error.message, /x-amz-content-sha256/);
    const boto = { ...botocoreRequest(), body: Buffer.from(BOTOCORE.body.replace('events', 'evenTs')) };
    const botoError = await refusal(boto, BOTOCORE_NOW);
    assert.equal(botoError.type, 'InvalidSignatureException');
    assert.match(botoError.message, /does not match the signature you provided/);
  });

  it('a signed header changed after signing', async () => {
    const request = withHeaders(await signed(), { 'x-amz-target': 'Firehose_20150804.PutRecordBatch' });
    assert.equal((await refusal(request)).authFailure, 'signature_mismatch');
  });

  it('an x-amz-content-sha256 that is not the hash of the body, even if signed', async () => {
    const body = '{"DeliveryStreamName":"events"}';
    const wrong = createHash('sha256').update(`${body} `).digest('hex');
    const error = await refusal(await signed({ body, headers: { 'x-amz-content-sha256': wrong } }));
    assert.equal(
      error.message,
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  });

  it('a signature made more than 15 minutes before or after the server clock', async () => {
    const late = await refusal(await signed({ date: NOW - CLOCK_SKEW_MS - 1000 }));
    assert.equal(late.type, 'InvalidSignatureException');
    assert.equal(late.authFailure, 'expired');
    assert.equal(
      late.message,
      'Signature expired: 20260115T114459Z is now earlier than 20260115T114500Z (20260115T120000Z - 15 min.)',
    );
    const early = await refusal(await signed({ date: NOW + CLOCK_SKEW_MS + 1000 }));
    assert.equal(
      early.message,
      'Signature not yet current: 20260115T121501Z is still later than 20260115T121500Z (20260115T120000Z + 15 min.)',
    );
  });

  it('a credential scoped to another service', async () => {
    const error = await refusal(await signed({ service: 'kinesis' }));
    assert.equal(error.type, 'InvalidSignatureException');
    assert.match(error.message, /Credential should be scoped to correct service: 'firehose'/);
  });

  it('a credential scope dated another day than X-Amz-Date', async () => {
    const request = await signed();
    const authorization = (request.headers.authorization ?? '').replace('/20260115/', '/20260114/');
    const error = await refusal(withHeaders(request, { authorization }));
    assert.match(error.message, /^Date in Credential scope does not match YYYYMMDD/);
  });

  it('headers that cannot be checked: IncompleteSignatureException', async () => {
    const request = await signed();
    const header = request.headers.authorization ?? '';
    const cases: [string | undefined, Record<string, string | undefined>, RegExp][] = [
      ['Bearer abc', {}, /Unsupported authorization type 'Bearer'/],
      [
        header.replace(/, Signature=[0-9a-f]+/, ''),
        {},
        /^Authorization header requires 'Signature' parameter\.$/,
      ],
      ['AWS4-HMAC-SHA256 Credential', {}, /not a valid key=value pair \(missing equal-sign\)/],
      [
        'AWS4-HMAC-SHA256 x=y',
        {},
        /requires 'Credential' parameter\. .*requires 'Signature' parameter\. .*requires 'SignedHeaders' parameter\./,
      ],
      [header.replace('Credential=AKIDEXAMPLE/', 'Credential='), {}, /^Credential must be <access key ID>/],
      [header, { 'x-amz-date': undefined }, /requires existence of a 'X-Amz-Date' header/],
      [header, { 'x-amz-date': '20260230T120000Z' }, /X-Amz-Date must be in the ISO 8601 basic format/],
      [header.replace('host;', ''), {}, /'host' must be a 'SignedHeader'/],
    ];
    for (const [authorization, headers, message] of cases) {
      const error = await refusal(withHeaders(request, { authorization, ...headers }));
      assert.equal(error.type, 'IncompleteSignatureException', `${authorization}: ${error.message}`);
      assert.equal(error.authFailure, 'malformed');
      assert.match(error.message, message);
    }
  });

  it('query-string (presigned) authentication', async () => {
    const request = withHeaders(await signed(), { authorization: undefined });
    const error = await refusal({ ...request, query: { 'X-Amz-Signature': 'abc' } });
    assert.equal(error.type, 'IncompleteSignatureException');
  });
});
