// API keys, Bearer authentication of the native API, and the checks run at start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../../../src/config/load.js';
import { authenticateBearer } from '../../../../src/ingest/auth/bearer.js';
import { IngestAuth } from '../../../../src/ingest/auth/keys.js';
import { authStartupProblems, isLoopback } from '../../../../src/ingest/auth/startup-checks.js';

const KEY = 'k'.repeat(16);
const LIMITED = 'limited-key-0123456789';
const auth = new IngestAuth({
  mode: 'keys',
  allowUnauthenticated: false,
  accessKeys: [],
  apiKeys: [{ key: KEY }, { key: LIMITED, streams: ['events'] }],
});

describe('Bearer authentication', () => {
  it('accepts a configured key, with its stream limit', () => {
    const any = authenticateBearer(auth, `Bearer ${KEY}`, 'anything');
    assert.ok('caller' in any);
    assert.equal(any.caller.streams, undefined);
    const limited = authenticateBearer(auth, `bearer   ${LIMITED} `, 'events');
    assert.ok('caller' in limited);
    assert.deepEqual([...(limited.caller.streams ?? [])], ['events']);
  });

  it('refuses a missing, malformed or unknown key with 401, and another stream with 403', () => {
    const cases: [string | undefined, string, string, number][] = [
      [undefined, 'events', 'missing', 401],
      [`Basic ${KEY}`, 'events', 'malformed', 401],
      ['Bearer', 'events', 'malformed', 401],
      [`Bearer ${KEY}x`, 'events', 'unknown_key', 401],
      [`Bearer ${KEY.slice(1)}`, 'events', 'unknown_key', 401],
      [`Bearer ${LIMITED}`, 'clicks', 'stream_denied', 403],
    ];
    for (const [header, stream, reason, status] of cases) {
      const outcome = authenticateBearer(auth, header, stream);
      assert.ok('failure' in outcome, String(header));
      assert.equal(outcome.failure, reason);
      assert.equal(outcome.error.status, status);
      assert.equal(outcome.error.code, status === 401 ? 'Unauthorized' : 'AccessDenied');
      assert.doesNotMatch(outcome.error.message, new RegExp(KEY), 'the key is not echoed');
    }
  });

  it('lets every request through with mode none', () => {
    const open = new IngestAuth({ mode: 'none', allowUnauthenticated: false, accessKeys: [], apiKeys: [] });
    assert.equal(open.required, false);
    assert.ok('caller' in authenticateBearer(open, undefined, 'events'));
  });
});

describe('start-up checks', () => {
  const config = (auth: string, host = '127.0.0.1') =>
    parseConfigText(
      `ingest: { host: "${host}" }\nauth: ${auth}\nstreams:\n  events:\n    destination: { type: file, directory: x }\n`,
      'test.yaml',
      {},
    ).config;

  it('refuses mode none on an address other than loopback, unless allowUnauthenticated', () => {
    assert.deepEqual(authStartupProblems(config('{ mode: none }')), []);
    assert.deepEqual(authStartupProblems(config('{ mode: none }', 'localhost')), []);
    const [problem] = authStartupProblems(config('{ mode: none }', '0.0.0.0'));
    assert.match(problem ?? '', /auth\.mode is none, but ingest\.host 0\.0\.0\.0 is not a loopback address/);
    assert.deepEqual(
      authStartupProblems(config('{ mode: none, allowUnauthenticated: true }', '0.0.0.0')),
      [],
    );
    const keys = `{ mode: keys, apiKeys: [{ key: "${KEY}" }] }`;
    assert.deepEqual(authStartupProblems(config(keys, '0.0.0.0')), []);
  });

  it('refuses a key limited to a stream that is not configured', () => {
    const auth = `{ mode: keys, accessKeys: [{ accessKeyId: a, secretAccessKey: "${KEY}", streams: [events, evnets] }] }`;
    assert.deepEqual(authStartupProblems(config(auth)), [
      'auth.accessKeys[0].streams names "evnets", which is not a stream of this config.',
    ]);
  });

  it('knows loopback addresses', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      'LOCALHOST',
    ]) {
      assert.ok(isLoopback(host), host);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', 'example.com', '1::1', '128.0.0.1']) {
      assert.ok(!isLoopback(host), host);
    }
  });
});
