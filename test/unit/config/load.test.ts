// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about literal ${VAR} references.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  type ConfigIssue,
  formatIssue,
  formatPath,
  loadConfig,
  parseConfigText,
  summarizeConfig,
} from '../../../src/config/load.js';

// Compiled to dist/test/unit/config/: the project root is four levels up.
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const FILE = 'config/sluice.yaml';

const MINIMAL = `streams:
  clicks:
    destination:
      type: file
      directory: landing
`;
// `auth` is required; appended last, it moves no line of the text before it.
const AUTH = 'auth: { mode: none }\n';

/** The issues of a config that must fail, as `line:col path: message` strings. */
function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfigText(text, FILE, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.issues.map((i) => `${i.line}:${i.col} ${i.path}${i.path ? ': ' : ''}${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

describe('parseConfigText: valid configs', () => {
  it('fills in every default', () => {
    const loaded = parseConfigText(`${MINIMAL}${AUTH}`, 'conf/sluice.yaml', {});
    assert.equal(loaded.file, resolve('conf/sluice.yaml'));
    assert.equal(loaded.baseDir, resolve('conf'));
    assert.deepEqual(loaded.config, {
      redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'sluice' },
      ingest: {
        host: '127.0.0.1',
        port: 4573,
        maxRecordBytes: 1_024_000,
        maxRequestBytes: 4 * 1024 * 1024,
        firehose: { region: 'us-east-1', accountId: '000000000000' },
        durability: 'local',
        replicas: 1,
        replicaTimeoutMs: 1000,
        headersTimeoutSeconds: 10,
        requestTimeoutSeconds: 60,
        maxConnections: 1024,
        maxInflightMiB: 256,
      },
      admin: { host: '127.0.0.1', port: 9464 },
      workers: { concurrency: 4, deliveryThread: false, lockSeconds: 30 },
      shutdown: { timeoutSeconds: 30 },
      auth: { mode: 'none', allowUnauthenticated: false, accessKeys: [], apiKeys: [] },
      streams: {
        clicks: {
          buffering: { sizeMiB: 5, intervalSeconds: 300 },
          maxBacklogMiB: 1024,
          format: { type: 'ndjson' },
          compression: 'none',
          retry: { initialBackoffSeconds: 1, maxBackoffSeconds: 60 },
          processing: [],
          destination: { type: 'file', directory: 'landing', errorOutputPrefix: 'errors/' },
        },
      },
    });
  });

  it('fills in the defaults of an s3 destination', () => {
    const text = `streams:\n  s:\n    destination: {type: s3, bucket: b-1}\n${AUTH}`;
    assert.deepEqual(parseConfigText(text, FILE, {}).config.streams.s?.destination, {
      type: 's3',
      bucket: 'b-1',
      errorOutputPrefix: 'errors/',
      region: 'us-east-1',
      forcePathStyle: false,
      partSizeMiB: 8,
      requestTimeoutSeconds: 120,
    });
  });

  it('loads a config that sets every option, with anchors, merge keys and environment references', async () => {
    const file = join(root, 'test/fixtures/config/full.yaml');
    const secrets = { PRODUCER_SECRET: 'producer-secret-0123456789', API_KEY: 'api-key-0123456789abcdef' };
    const { config } = await loadConfig(file, { ACCESS_KEY: 'AKIA', SECRET_KEY: 'secret', ...secrets });
    assert.equal(config.redis.url, 'rediss://cache.internal:6380/2');
    assert.deepEqual(config.ingest, {
      host: '0.0.0.0',
      port: 8443,
      maxRecordBytes: 2048000,
      maxRequestBytes: 8388608,
      firehose: { region: 'eu-west-1', accountId: '123456789012' },
      durability: 'replicated',
      replicas: 2,
      replicaTimeoutMs: 500,
      headersTimeoutSeconds: 5,
      requestTimeoutSeconds: 30,
      maxConnections: 4096,
      maxInflightMiB: 512,
      tls: { certFile: 'tls/cert.pem', keyFile: 'tls/key.pem' },
    });
    assert.deepEqual(config.auth, {
      mode: 'keys',
      allowUnauthenticated: false,
      accessKeys: [
        { accessKeyId: 'producer', secretAccessKey: secrets.PRODUCER_SECRET, streams: ['clicks'] },
      ],
      apiKeys: [{ key: secrets.API_KEY }],
    });
    assert.deepEqual(config.workers, { concurrency: 16, deliveryThread: true, lockSeconds: 60, threads: 3 });
    const clicks = config.streams.clicks;
    assert.deepEqual(clicks?.buffering, { sizeMiB: 64, intervalSeconds: 0 });
    assert.equal(clicks?.retry.initialBackoffSeconds, 0.5);
    assert.deepEqual(clicks?.processing, [
      {
        type: 'transform',
        module: './transforms/enrich.js',
        handler: 'enrich',
        bufferSizeMiB: 0.5,
        timeoutSeconds: 5,
        retries: 1,
        memoryLimitMiB: 128,
      },
      { type: 'appendDelimiter' },
    ]);
    assert.deepEqual(clicks?.destination, {
      type: 's3',
      bucket: 'analytics',
      prefix: '!{timestamp:yyyy/MM/dd}/clicks/',
      errorOutputPrefix: 'failed/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret', sessionToken: 'token' },
      partSizeMiB: 16,
      requestTimeoutSeconds: 30,
    });
    // The merge key brings in clicks' settings; the stream's own keys win.
    const logs = config.streams['app.logs'];
    assert.equal(logs?.compression, 'none');
    assert.equal(logs?.buffering.sizeMiB, 64);
    assert.deepEqual(logs?.destination, {
      type: 'file',
      directory: '/var/lib/sluice/landing',
      prefix: 'logs/',
      errorOutputPrefix: 'logs-errors/',
    });
  });

  it('turns a whole environment reference into a number, and keeps embedded ones text', () => {
    const text = `redis:\n  url: redis://\${REDIS_HOST:-localhost}:6379\ningest:\n  port: \${PORT:-4573}\n${MINIMAL}${AUTH}`;
    assert.equal(parseConfigText(text, FILE, {}).config.ingest.port, 4573);
    const { config } = parseConfigText(text, FILE, { PORT: '8080', REDIS_HOST: 'r1' });
    assert.equal(config.ingest.port, 8080);
    assert.equal(config.redis.url, 'redis://r1:6379');
  });
});

describe('parseConfigText: mistakes are reported with path, line and column', () => {
  it('a value out of range', () => {
    const text = `${MINIMAL.replace('    destination:', '    buffering:\n      sizeMiB: 500\n    destination:')}${AUTH}`;
    assert.deepEqual(problems(text), [
      '4:16 streams.clicks.buffering.sizeMiB: must be an integer between 1 and 128',
    ]);
  });

  it('a header timeout longer than the request timeout', () => {
    const text = `ingest:\n  headersTimeoutSeconds: 30\n  requestTimeoutSeconds: 10\n${MINIMAL}${AUTH}`;
    assert.deepEqual(problems(text), [
      '2:26 ingest.headersTimeoutSeconds: must be at most requestTimeoutSeconds',
    ]);
  });

  it('a value of the wrong type', () => {
    const text = `ingest:\n  port: http\n${MINIMAL}${AUTH}`;
    assert.deepEqual(problems(text), ['2:9 ingest.port: must be an integer between 0 and 65535']);
    const flags = `streams:\n  s:\n    destination: {type: s3, bucket: 123, forcePathStyle: yes}\n${AUTH}`;
    assert.deepEqual(problems(flags), [
      '3:37 streams.s.destination.bucket: must be a string, not the number 123 (quote it to make it text)',
      '3:58 streams.s.destination.forcePathStyle: must be true or false, not the text "yes"',
    ]);
    assert.deepEqual(problems(`redis: redis://x\n${MINIMAL}${AUTH}`), [
      '1:8 redis: must be a mapping, not the text "redis://x"',
    ]);
    assert.deepEqual(problems(`${MINIMAL}    compression: lz4\n${AUTH}`), [
      '6:18 streams.clicks.compression: must be one of none, gzip, zstd',
    ]);
  });

  it('an unknown key at the top level, pointing at the key', () => {
    assert.deepEqual(problems(`${MINIMAL}ingets:\n  port: 1\n${AUTH}`), [
      '6:1 ingets: unknown key "ingets" (did you mean "ingest"?)',
    ]);
  });

  it('unknown keys nested, one issue per key', () => {
    const text = `streams:
  clicks:
    buffering:
      sizeMib: 4
      flush: 1
    destination:
      type: file
      directory: landing
      bucket: nope
auth: { mode: none }
`;
    assert.deepEqual(problems(text), [
      '4:7 streams.clicks.buffering.sizeMib: unknown key "sizeMib" (did you mean "sizeMiB"?)',
      '5:7 streams.clicks.buffering.flush: unknown key "flush"',
      '9:7 streams.clicks.destination.bucket: unknown key "bucket"',
    ]);
  });

  it('a missing required field, pointing at the mapping that lacks it', () => {
    assert.deepEqual(problems(`streams:\n  clicks:\n    destination:\n      type: file\n${AUTH}`), [
      '4:7 streams.clicks.destination.directory: is required',
    ]);
    assert.deepEqual(problems(`streams:\n  clicks:\n    compression: gzip\n${AUTH}`), [
      '3:5 streams.clicks.destination: is required',
    ]);
    assert.deepEqual(problems(`# no streams\nredis: {}\n${AUTH}`), ['2:1 streams: is required']);
    assert.deepEqual(problems(`streams: {}\n${AUTH}`), ['1:10 streams: must declare at least one stream']);
  });

  it('a bad stream name, pointing at the name', () => {
    assert.deepEqual(
      problems(`${MINIMAL}  "click stream":\n    destination: {type: file, directory: x}\n${AUTH}`),
      [
        '6:3 streams["click stream"]: invalid name: must be 1 to 64 characters of letters, digits, "_", "." and "-"',
      ],
    );
  });

  it('a missing or bad destination type', () => {
    assert.deepEqual(
      problems(`streams:\n  clicks:\n    destination:\n      type: ftp\n      directory: x\n${AUTH}`),
      ['4:13 streams.clicks.destination.type: must be one of s3, file'],
    );
    assert.deepEqual(problems(`streams:\n  clicks:\n    destination:\n      directory: x\n${AUTH}`), [
      '4:7 streams.clicks.destination.type: is required (one of s3, file)',
    ]);
  });

  it('a prefix expression that cannot be evaluated', () => {
    assert.deepEqual(
      problems(
        `streams:\n  clicks:\n    destination:\n      type: file\n      directory: x\n      prefix: "a/!{timestamp:EEE}/"\n${AUTH}`,
      ),
      [
        '6:15 streams.clicks.destination.prefix: timestamp pattern letter "E" is not supported; use y, M, d, H, m, s, S and quoted text',
      ],
    );
  });

  it('a YAML syntax error', () => {
    const issues = problems('streams:\n  clicks:\n    destination: [file\n  other: 1\n');
    assert.equal(issues.length, 1);
    assert.match(
      issues[0] ?? '',
      /^4:3 invalid YAML: Flow sequence .* must be sufficiently indented and end with a \]$/,
    );
    assert.deepEqual(problems('streams:\n\tclicks: {}\n'), [
      '2:1 invalid YAML: Tabs are not allowed as indentation',
    ]);
  });

  it('an unquoted Firehose prefix expression, with a hint', () => {
    const text =
      'streams:\n  clicks:\n    destination:\n      type: file\n      directory: x\n      prefix: !{timestamp:yyyy}/\n';
    assert.deepEqual(problems(text), [
      '6:15 invalid YAML: a value starting with "!{" must be quoted, because YAML reads "!" as a tag',
    ]);
  });

  it('an unquoted environment reference inside a flow mapping, with a hint', () => {
    assert.deepEqual(problems('streams:\n  clicks:\n    destination: {type: file, directory: ${DIR}}\n'), [
      '3:42 invalid YAML: inside { } or [ ], a value with "${" must be quoted, as in "${VAR}"',
    ]);
  });

  it('a duplicate key, pointing at the second one', () => {
    assert.deepEqual(problems(`${MINIMAL}    compression: gzip\n    compression: none\n`), [
      '7:5 streams.clicks.compression: duplicate key (first defined on line 6)',
    ]);
    assert.deepEqual(problems(`redis: {}\n${MINIMAL}redis: {}\n`), [
      '7:1 redis: duplicate key (first defined on line 1)',
    ]);
  });

  it('an unset environment variable without a default', () => {
    const text = `redis:\n  url: redis://\${REDIS_HOST}:6379\ningest:\n  port: \${PORT}\n${MINIMAL}${AUTH}`;
    assert.deepEqual(problems(text), [
      '2:8 redis.url: environment variable REDIS_HOST is not set (write ${REDIS_HOST:-default} to give it a default)',
      '4:9 ingest.port: environment variable PORT is not set (write ${PORT:-default} to give it a default)',
    ]);
  });

  it('a substituted value that is invalid, at the line of the reference', () => {
    assert.deepEqual(problems(`ingest:\n  port: \${PORT}\n${MINIMAL}${AUTH}`, { PORT: '99999' }), [
      '2:9 ingest.port: must be an integer between 0 and 65535',
    ]);
  });

  it('an empty file, a comment-only file, or a top level that is not a mapping', () => {
    assert.deepEqual(problems(''), ['1:1 the config is empty; it needs at least a `streams:` mapping']);
    assert.deepEqual(problems('# nothing yet\n'), [
      '1:1 the config is empty; it needs at least a `streams:` mapping',
    ]);
    assert.deepEqual(problems('- streams\n'), [
      '1:1 the config must be a mapping of options such as `streams:`, not a list',
    ]);
    assert.deepEqual(problems('\nsluice\n'), [
      '2:1 the config must be a mapping of options such as `streams:`, not the text "sluice"',
    ]);
  });

  it('lists every issue, sorted by line, one per line in the message', () => {
    const text = `streams:
  clicks:
    buffering:
      sizeMiB: 0
    compression: lz4
    destination:
      type: file
ingest:
  port: -1
auth: { mode: none }
`;
    try {
      parseConfigText(text, FILE, {});
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.name, 'ConfigError');
      assert.deepEqual(
        error.issues.map((i) => i.line),
        [4, 5, 7, 9],
      );
      assert.equal(
        error.message,
        [
          'config/sluice.yaml:4:16 streams.clicks.buffering.sizeMiB: must be an integer between 1 and 128',
          'config/sluice.yaml:5:18 streams.clicks.compression: must be one of none, gzip, zstd',
          'config/sluice.yaml:7:7 streams.clicks.destination.directory: is required',
          'config/sluice.yaml:9:9 ingest.port: must be an integer between 0 and 65535',
        ].join('\n'),
      );
      const first: ConfigIssue | undefined = error.issues[0];
      assert.deepEqual(first, {
        file: FILE,
        line: 4,
        col: 16,
        path: 'streams.clicks.buffering.sizeMiB',
        message: 'must be an integer between 1 and 128',
      });
    }
  });
});

describe('loadConfig', () => {
  it('reads a file and resolves its directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-config-'));
    try {
      const file = join(dir, 'sluice.yaml');
      await writeFile(file, `${MINIMAL}${AUTH}`);
      const loaded = await loadConfig(file, {});
      assert.equal(loaded.file, file);
      assert.equal(loaded.baseDir, dir);
      assert.equal(loaded.config.streams.clicks?.destination.type, 'file');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a file that cannot be read as a ConfigError', async () => {
    await assert.rejects(loadConfig(join(tmpdir(), 'sluice-no-such-config.yaml'), {}), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /sluice-no-such-config\.yaml: cannot read the config file \(ENOENT/);
      return true;
    });
  });

  it('loads the shipped configs', async () => {
    const main = await loadConfig(join(root, 'config/sluice.yaml'), {});
    assert.equal(main.baseDir, join(root, 'config'));
    assert.equal(main.config.redis.url, 'redis://127.0.0.1:6379');
    assert.deepEqual(main.config.ingest, { ...main.config.ingest, host: '127.0.0.1', port: 4573 });
    assert.deepEqual(main.config.admin, { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(main.config.streams.events?.buffering, { sizeMiB: 5, intervalSeconds: 60 });
    assert.equal(main.config.streams.events?.compression, 'gzip');
    assert.deepEqual(main.config.streams.events?.destination, {
      type: 'file',
      directory: '../data/landing',
      prefix: 'events/',
      errorOutputPrefix: 'errors/',
    });
    assert.equal(resolve(main.baseDir, '../data/landing'), join(root, 'data/landing'));
    assert.equal(
      (await loadConfig(join(root, 'config/sluice.yaml'), { REDIS_URL: 'redis://r:1' })).config.redis.url,
      'redis://r:1',
    );

    const minio = await loadConfig(join(root, 'config/minio.example.yaml'), {
      MINIO_ACCESS_KEY: 'minioadmin',
      MINIO_SECRET_KEY: 'miniosecret',
    });
    const destination = minio.config.streams.events?.destination;
    assert.equal(destination?.type, 's3');
    if (destination?.type === 's3') {
      assert.equal(destination.endpoint, 'http://127.0.0.1:9000');
      assert.equal(destination.forcePathStyle, true);
      assert.deepEqual(destination.credentials, {
        accessKeyId: 'minioadmin',
        secretAccessKey: 'miniosecret',
      });
    }
  });
});

describe('helpers', () => {
  it('formatIssue and formatPath', () => {
    const issue = { file: 'c.yaml', line: 3, col: 5, path: 'a.b', message: 'is required' };
    assert.equal(formatIssue(issue), 'c.yaml:3:5 a.b: is required');
    assert.equal(formatIssue({ ...issue, path: '' }), 'c.yaml:3:5 is required');
    assert.equal(formatPath(['streams', 'clicks', 'buffering']), 'streams.clicks.buffering');
    assert.equal(formatPath(['streams', 'app.logs', 'list', 0]), 'streams["app.logs"].list[0]');
  });

  it('summarizeConfig shows each stream and hides the Redis password', () => {
    const text = `redis:\n  url: redis://user:hunter2@cache:6379\n${MINIMAL}${AUTH}`;
    const summary = summarizeConfig(parseConfigText(text, FILE, {}));
    assert.doesNotMatch(summary, /hunter2/);
    assert.match(summary, /redis redis:\/\/user:\*\*\*@cache:6379/);
    assert.match(summary, /stream clicks -> file landing, ndjson, none, batches of 5 MiB or 300 s/);
  });
});
