// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about literal ${VAR} references.
// Checks the deployment files (Dockerfile, deploy/) as far as it can be done without a Docker
// engine: the Sluice configs load with the project's own loader, the compose file and the
// Dockerfile point at files that exist and agree with each other and with the config schema,
// and redis.conf and the systemd unit keep the settings Sluice's guarantees depend on.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ConfigError, type LoadedConfig, loadConfig, parseConfigText } from '../../src/config/load.js';

// Compiled to dist/test/unit/: the project root is three levels up.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const deployDir = join(root, 'deploy');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** What the schema gives a config that sets nothing but one stream. */
const defaults = parseConfigText(
  'auth: { mode: none }\nstreams:\n  s:\n    destination: {type: file, directory: landing}\n',
  'defaults.yaml',
  {},
).config;

/** Variables that the deploy configs read, as docker-compose.yml sets them. */
const ENV = {
  REDIS_URL: 'redis://redis:6379',
  MINIO_ROOT_USER: 'minio-user',
  MINIO_ROOT_PASSWORD: 'minio-pass',
};

// ---- Dockerfile ----

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions with continuation lines joined; comments and heredoc bodies are skipped. */
function parseDockerfile(text: string): Instruction[] {
  const lines = text.split('\n');
  const out: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = `${line.slice(0, -1)} ${lines[++i] ?? ''}`;
    }
    const heredoc = /<<-?\s*['"]?([A-Za-z_]+)['"]?/.exec(line)?.[1];
    if (heredoc) while (i + 1 < lines.length && (lines[++i] ?? '').trim() !== heredoc);
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    assert.ok(match, `Dockerfile line ${start + 1} is not an instruction: ${line}`);
    out.push({ keyword: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').trim(), line: start + 1 });
  }
  return out;
}

/** The stages of the Dockerfile, by name, each with its instructions. */
function stages(instructions: Instruction[]): Map<string, Instruction[]> {
  const byName = new Map<string, Instruction[]>();
  let current: Instruction[] | undefined;
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const name = /\bAS\s+(\S+)/i.exec(instruction.args)?.[1] ?? String(byName.size);
      current = [];
      byName.set(name, current);
    } else {
      current?.push(instruction);
    }
  }
  return byName;
}

/** `["a", "b"]` (exec form) or `a b` (shell form) as a list of words. */
function words(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
}

interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
  line: number;
}

function copies(instructions: Instruction[]): Copy[] {
  return instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map((i) => {
      const parts = words(i.args);
      const flags = parts.filter((p) => p.startsWith('--'));
      const paths = parts.filter((p) => !p.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? '', line: i.line };
    });
}

const dockerfile = parseDockerfile(read('Dockerfile'));
const dockerStages = stages(dockerfile);
const runtime = [...dockerStages.values()].at(-1) ?? [];
const only = (keyword: string, list: Instruction[] = runtime): Instruction => {
  const found = list.filter((i) => i.keyword === keyword);
  assert.equal(found.length, 1, `expected one ${keyword} in the runtime stage, found ${found.length}`);
  return found[0] as Instruction;
};
const configPathInImage = (() => {
  const cmd = words(only('CMD').args);
  return cmd[cmd.indexOf('--config') + 1] ?? '';
})();

// ---- compose ----

interface ComposeService {
  build?: { context: string; dockerfile?: string };
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
}

const compose = parse(read('deploy/docker-compose.yml')) as { services: Record<string, ComposeService> };
const sluiceService = compose.services.sluice as ComposeService;

/** Compose's own interpolation of its file: `${VAR:-default}` with VAR unset, and `$$`. */
function interpolate(value: string): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (match, _name, fallback) =>
    match === '$$' ? '$' : (fallback ?? ''),
  );
}

/** The service's `host:container` bind mounts, with the host side resolved from deploy/. */
function bindMounts(service: ComposeService): { source: string; target: string }[] {
  return (service.volumes ?? [])
    .map((spec) => spec.split(':'))
    .filter(([source]) => source?.startsWith('.') || source?.startsWith('/'))
    .map(([source, target]) => ({ source: resolve(deployDir, source ?? ''), target: target ?? '' }));
}

/** Compose / systemd durations as seconds: `40s`, `1m30s`, `45`, `1min 30s`. */
function seconds(text: string): number {
  if (/^\d+$/.test(text.trim())) return Number(text);
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600 };
  let total = 0;
  for (const [, value, unit] of text.matchAll(/(\d+)\s*(ms|min|s|m|h)/g)) {
    total += Number(value) * (units[unit ?? 's'] ?? 1);
  }
  return total;
}

// ---- the tests ----

describe('deploy/*.yaml Sluice configs', () => {
  const files = readdirSync(deployDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort();

  it('include the container and compose configs', () => {
    for (const name of ['sluice.compose.yaml', 'sluice.container.yaml'])
      assert.ok(files.includes(name), name);
  });

  for (const name of files) {
    it(`${name} loads with the project's loader`, async () => {
      const { config } = await loadConfig(join(deployDir, name), ENV);
      assert.equal(config.redis.url, ENV.REDIS_URL);
      // Inside a container the servers must listen on every interface to be reachable.
      assert.equal(config.ingest.host, '0.0.0.0');
      assert.equal(config.admin.host, '0.0.0.0');
      assert.equal(config.ingest.port, defaults.ingest.port);
      assert.equal(config.admin.port, defaults.admin.port);
    });

    it(`${name} refuses to load without REDIS_URL`, async () => {
      const { REDIS_URL: _, ...rest } = ENV;
      await assert.rejects(loadConfig(join(deployDir, name), rest), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.ok(
          error.issues.some((issue) => issue.path === 'redis.url' && issue.message.includes('REDIS_URL')),
          error.message,
        );
        return true;
      });
    });
  }

  it('the container config writes files under /var/lib/sluice, the directory the image creates', async () => {
    const { config } = await loadConfig(join(deployDir, 'sluice.container.yaml'), ENV);
    const destination = config.streams.events?.destination;
    assert.ok(destination?.type === 'file', 'a file destination');
    assert.equal(destination.directory, '/var/lib/sluice/landing');
    const run = runtime.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    assert.ok(
      run.some((args) => args.includes('mkdir -p /var/lib/sluice/landing') && args.includes('chown')),
      'the runtime stage must create /var/lib/sluice/landing for the node user',
    );
  });

  it('the compose config delivers gzip objects to the MinIO bucket with the credentials from the environment', async () => {
    const { config } = await loadConfig(join(deployDir, 'sluice.compose.yaml'), ENV);
    const stream = config.streams.events;
    assert.equal(stream?.compression, 'gzip');
    const expected = {
      type: 's3',
      bucket: 'landing',
      prefix: 'events/',
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'minio-user', secretAccessKey: 'minio-pass' },
    };
    // Only the options the file sets: the schema's defaults for the rest may grow.
    const destination = stream.destination as Record<string, unknown>;
    const actual = Object.fromEntries(Object.keys(expected).map((key) => [key, destination[key]]));
    assert.deepEqual(actual, expected);
  });

  it('`sluice validate` accepts the container config as the image runs it, and rejects it without REDIS_URL', () => {
    const cli = join(root, 'dist/src/cli.js');
    const args = [cli, 'validate', '--config', 'deploy/sluice.container.yaml'];
    const env = { PATH: process.env.PATH ?? '' };
    const ok = spawnSync(process.execPath, args, { cwd: root, env: { ...env, ...ENV }, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /valid/);
    const bad = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /REDIS_URL/);
  });
});

describe('Dockerfile', () => {
  it('is multi-stage on node:24-bookworm-slim', () => {
    assert.ok(dockerStages.size >= 2, 'expected a build and a runtime stage');
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(read('Dockerfile'))?.[1];
    assert.equal(image, 'node:24-bookworm-slim');
    for (const from of dockerfile.filter((i) => i.keyword === 'FROM')) {
      assert.match(from.args, /^\$\{NODE_IMAGE\} AS \w+$/);
    }
  });

  it('copies only paths that exist in the repository, and none that .dockerignore leaves out', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const fromContext = copies(dockerfile).filter((c) => c.from === undefined);
    assert.ok(fromContext.length > 0);
    for (const { sources, line } of fromContext) {
      for (const source of sources) {
        const path = normalize(source).replace(/\/$/, '');
        assert.ok(existsSync(join(root, path)), `Dockerfile line ${line}: COPY ${source} does not exist`);
        const top = path.split('/')[0] ?? '';
        assert.ok(!ignored.includes(top) && !ignored.includes(path), `${source} is in .dockerignore`);
      }
    }
  });

  it('copies from the build stage only what the build produces or the repository has', () => {
    const build = dockerStages.get('build');
    assert.ok(build, 'a stage named build');
    const buildCommands = build
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join('\n');
    assert.match(buildCommands, /npm ci/);
    assert.match(buildCommands, /npm run build/);
    assert.match(buildCommands, /npm prune --omit=dev/);
    const workdir = only('WORKDIR', build).args;
    const produced = new Set(['node_modules', 'dist']); // by npm ci and npm run build
    const fromBuild = copies(runtime).filter((c) => c.from === 'build');
    assert.deepEqual(fromBuild.flatMap((c) => c.sources).sort(), [
      `${workdir}/dist`,
      `${workdir}/node_modules`,
      `${workdir}/package.json`,
    ]);
    for (const { sources } of fromBuild) {
      for (const source of sources) {
        const path = relative(workdir, source);
        assert.ok(
          produced.has(path) || existsSync(join(root, path)),
          `${source} is neither built nor in the repo`,
        );
      }
    }
    // What `npm run build` compiles must have been copied into the build stage before it runs.
    const copied = copies(build).flatMap((c) => c.sources);
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts', 'src']) {
      assert.ok(copied.includes(needed), `the build stage copies ${needed}`);
    }
  });

  it('exposes the default ingest and admin ports of the schema', () => {
    const ports = only('EXPOSE').args.split(/\s+/).map(Number);
    assert.deepEqual(ports, [defaults.ingest.port, defaults.admin.port]);
  });

  it('health-checks /healthz on the admin port with node, runs as node, and starts the default config', () => {
    const healthcheck = only('HEALTHCHECK').args;
    assert.match(healthcheck, new RegExp(`http://127\\.0\\.0\\.1:${defaults.admin.port}/healthz`));
    assert.match(healthcheck, /CMD \["node", "-e", /);
    assert.equal(only('USER').args, 'node');
    assert.equal(only('STOPSIGNAL').args, 'SIGTERM');
    assert.equal(only('ENV').args, 'NODE_ENV=production');
    assert.deepEqual(words(only('ENTRYPOINT').args), ['node', 'dist/src/cli.js']);
    assert.ok(existsSync(join(root, 'src/cli.ts')), 'dist/src/cli.js is compiled from src/cli.ts');
    assert.deepEqual(words(only('CMD').args), ['start', '--config', '/etc/sluice/sluice.yaml']);
    const config = copies(runtime).find((c) => c.dest === configPathInImage);
    assert.deepEqual(config?.sources, ['deploy/sluice.container.yaml']);
  });
});

describe('deploy/docker-compose.yml', () => {
  it('has redis, minio, a bucket-creating mc job and sluice', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['createbucket', 'minio', 'redis', 'sluice']);
    assert.match(compose.services.redis?.image ?? '', /^redis:7/);
    assert.match(compose.services.minio?.image ?? '', /^minio\/minio/);
    assert.match(compose.services.createbucket?.image ?? '', /^minio\/mc/);
  });

  it("runs Redis with an append-only file and noeviction, as Sluice's guarantees need", () => {
    const command = compose.services.redis?.command;
    assert.ok(Array.isArray(command));
    const flag = (name: string) => command[command.indexOf(name) + 1];
    assert.equal(flag('--appendonly'), 'yes');
    assert.equal(flag('--appendfsync'), 'everysec');
    assert.equal(flag('--maxmemory-policy'), 'noeviction');
  });

  it('builds sluice from the repository root and its Dockerfile', () => {
    const build = sluiceService.build;
    assert.ok(build);
    const context = resolve(deployDir, build.context);
    assert.equal(context, resolve(root));
    assert.ok(statSync(join(context, build.dockerfile ?? 'Dockerfile')).isFile());
  });

  it("mounts deploy/sluice.compose.yaml where the image's command reads its config", () => {
    const mounts = bindMounts(sluiceService);
    assert.deepEqual(mounts, [{ source: join(deployDir, 'sluice.compose.yaml'), target: configPathInImage }]);
    for (const { source } of mounts) assert.ok(existsSync(source), `${source} exists`);
    const command = sluiceService.command;
    assert.ok(Array.isArray(command));
    assert.equal(command[command.indexOf('--config') + 1], configPathInImage);
  });

  it('gives sluice every variable its config reads, and the config then loads', async () => {
    const env = Object.fromEntries(
      Object.entries(sluiceService.environment ?? {}).map(([name, value]) => [
        name,
        interpolate(String(value)),
      ]),
    );
    const { config }: LoadedConfig = await loadConfig(join(deployDir, 'sluice.compose.yaml'), env);
    const destination = config.streams.events?.destination;
    assert.ok(destination?.type === 's3');
    // The same credentials as the MinIO server of the stack, and the bucket the mc job makes.
    const minioEnv = compose.services.minio?.environment ?? {};
    assert.equal(destination.credentials?.accessKeyId, interpolate(String(minioEnv.MINIO_ROOT_USER)));
    assert.equal(destination.credentials?.secretAccessKey, interpolate(String(minioEnv.MINIO_ROOT_PASSWORD)));
    assert.ok(
      String(compose.services.createbucket?.command).includes(
        `mb --ignore-existing stack/${destination.bucket}`,
      ),
    );
    assert.equal(new URL(env.REDIS_URL ?? '').hostname, 'redis');
    assert.equal(new URL(destination.endpoint ?? '').host, 'minio:9000');
  });

  it('publishes the ingest and admin ports of the config', async () => {
    const { config } = await loadConfig(join(deployDir, 'sluice.compose.yaml'), ENV);
    const containerPorts = (sluiceService.ports ?? []).map((spec) => Number(spec.split(':').at(-1)));
    assert.deepEqual(containerPorts, [config.ingest.port, config.admin.port]);
  });

  it('starts sluice after Redis and MinIO are healthy and the bucket exists', () => {
    assert.deepEqual(sluiceService.depends_on, {
      redis: { condition: 'service_healthy' },
      minio: { condition: 'service_healthy' },
      createbucket: { condition: 'service_completed_successfully' },
    });
  });

  it('gives sluice a stop grace period longer than its shutdown timeout', async () => {
    const { config } = await loadConfig(join(deployDir, 'sluice.compose.yaml'), ENV);
    assert.ok(seconds(sluiceService.stop_grace_period ?? '10s') > config.shutdown.timeoutSeconds);
  });
});

describe('deploy/redis.conf', () => {
  const directives = new Map(
    read('deploy/redis.conf')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const [name = '', ...value] = line.split(/\s+/);
        return [name.toLowerCase(), value.join(' ')] as const;
      }),
  );

  it('sets noeviction and an fsync-ed append-only file', () => {
    assert.equal(directives.get('maxmemory-policy'), 'noeviction');
    assert.equal(directives.get('appendonly'), 'yes');
    assert.equal(directives.get('appendfsync'), 'everysec');
  });

  it('is accepted by redis-server', async (t) => {
    if (spawnSync('redis-server', ['--version']).error) {
      t.skip('redis-server is not installed');
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'sluice-redis-conf-'));
    try {
      // The file's own port, log file and data directory are replaced: no TCP port, a socket here.
      const child = spawn(
        'redis-server',
        [
          join(root, 'deploy/redis.conf'),
          ...['--port', '0', '--unixsocket', join(dir, 'redis.sock'), '--dir', dir, '--logfile', ''],
          ...['--daemonize', 'no', '--save', ''],
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      const ready = new Promise<void>((resolveReady, reject) => {
        const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (/ready to accept connections/i.test(output)) {
            clearTimeout(timer);
            resolveReady();
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited with ${code}:\n${output}`));
        });
      });
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      try {
        await ready;
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/systemd/sluice.service', () => {
  const unit = new Map<string, string[]>();
  for (const line of read('deploy/systemd/sluice.service').split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) unit.set(match[1] ?? '', [...(unit.get(match[1] ?? '') ?? []), match[2] ?? '']);
  }
  const value = (key: string) => unit.get(key)?.at(-1);

  it('waits longer than the shutdown timeout before killing', () => {
    assert.equal(value('KillSignal'), 'SIGTERM');
    const stop = seconds(value('TimeoutStopSec') ?? '90s');
    assert.ok(stop > defaults.shutdown.timeoutSeconds, `TimeoutStopSec ${stop}s`);
  });

  it('runs unprivileged and hardened, writing only to the landing directory', () => {
    assert.equal(value('User'), 'sluice');
    assert.equal(value('Restart'), 'on-failure');
    assert.equal(value('NoNewPrivileges'), 'yes');
    assert.equal(value('ProtectSystem'), 'strict');
    assert.deepEqual(unit.get('ReadWritePaths'), ['/var/lib/sluice/landing']);
    assert.ok(isAbsolute(value('WorkingDirectory') ?? ''));
    assert.match(
      value('ExecStart') ?? '',
      /^\/usr\/bin\/node dist\/src\/cli\.js start --config \/\S+\.yaml$/,
    );
  });
});
