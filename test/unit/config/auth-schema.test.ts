// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests use literal ${VAR} references.
// The `auth` section: required, `mode: none` said explicitly, keys checked, secrets from the
// environment and never echoed in errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfigText } from '../../../src/config/load.js';

const STREAMS = 'streams:\n  events:\n    destination: { type: file, directory: x }\n';

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfigText(text, 'sluice.yaml', env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

describe('auth config', () => {
  it('is required', () => {
    assert.deepEqual(problems(STREAMS), ['1:1 auth: is required']);
  });

  it('takes `mode: none` with its defaults', () => {
    const { config } = parseConfigText(`auth: { mode: none }\n${STREAMS}`, 'sluice.yaml', {});
    assert.deepEqual(config.auth, { mode: 'none', allowUnauthenticated: false, accessKeys: [], apiKeys: [] });
  });

  it('reads keys and their secrets from the environment', () => {
    const text = `auth:
  mode: keys
  accessKeys:
    - accessKeyId: producer
      secretAccessKey: \${SECRET}
      streams: [events]
  apiKeys:
    - key: \${API_KEY}
${STREAMS}`;
    const env = { SECRET: 's'.repeat(40), API_KEY: 'a'.repeat(32) };
    const { config } = parseConfigText(text, 'sluice.yaml', env);
    assert.deepEqual(config.auth, {
      mode: 'keys',
      allowUnauthenticated: false,
      accessKeys: [{ accessKeyId: 'producer', secretAccessKey: env.SECRET, streams: ['events'] }],
      apiKeys: [{ key: env.API_KEY }],
    });
  });

  it('refuses keys mode without keys, and keys with mode none', () => {
    assert.deepEqual(problems(`auth:\n  mode: keys\n${STREAMS}`), [
      '2:9 auth.mode: is keys, but no accessKeys or apiKeys are set',
    ]);
    assert.deepEqual(problems(`auth:\n  mode: none\n  apiKeys: [{ key: "${'k'.repeat(16)}" }]\n${STREAMS}`), [
      '2:9 auth.mode: is none, so the keys below would be ignored; write `mode: keys` to use them',
    ]);
    assert.deepEqual(problems(`auth: { mode: open }\n${STREAMS}`), [
      '1:15 auth.mode: must be one of none, keys',
    ]);
  });

  it('refuses short or duplicate secrets and duplicate key IDs, without quoting a secret', () => {
    const text = `auth:
  mode: keys
  accessKeys:
    - { accessKeyId: a, secretAccessKey: "short" }
    - { accessKeyId: a, secretAccessKey: "${'x'.repeat(16)}" }
    - { accessKeyId: "a/b", secretAccessKey: 1234567890123456789 }
  apiKeys:
    - key: "${'y'.repeat(16)}"
    - key: "${'y'.repeat(16)}"
      streams: []
${STREAMS}`;
    const found = problems(text);
    assert.deepEqual(found, [
      '4:42 auth.accessKeys[0].secretAccessKey: must be at least 16 characters (e.g. the output of `openssl rand -base64 30`)',
      '6:22 auth.accessKeys[2].accessKeyId: must be 1 to 128 characters of letters, digits, "_", "." and "-"',
      '6:46 auth.accessKeys[2].secretAccessKey: must be a string (quote it)',
      '10:16 auth.apiKeys[1].streams: must name at least one stream; leave `streams` out to allow every stream',
    ]);
    // The duplicates are reported once the entries themselves are valid.
    const duplicates = `auth:
  mode: keys
  accessKeys:
    - { accessKeyId: a, secretAccessKey: "${'x'.repeat(16)}" }
    - { accessKeyId: a, secretAccessKey: "${'z'.repeat(16)}" }
  apiKeys:
    - key: "${'y'.repeat(16)}"
    - key: "${'y'.repeat(16)}"
${STREAMS}`;
    const again = problems(duplicates);
    assert.deepEqual(again, [
      '5:22 auth.accessKeys[1].accessKeyId: is the same as accessKeys[0]; access key IDs must be unique',
      '8:12 auth.apiKeys[1].key: is the same as apiKeys[0]; API keys must be unique',
    ]);
    for (const line of [...found, ...again]) assert.doesNotMatch(line, /yyyy|xxxx|zzzz|1234567890/);
  });

  it('allows allowUnauthenticated only with mode none', () => {
    assert.deepEqual(
      problems(
        `auth:\n  mode: keys\n  allowUnauthenticated: true\n  apiKeys: [{ key: "${'k'.repeat(16)}" }]\n${STREAMS}`,
      ),
      ['3:25 auth.allowUnauthenticated: applies only to `mode: none`; remove it'],
    );
  });
});
