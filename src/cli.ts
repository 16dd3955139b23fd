#!/usr/bin/env node
// The `sluice` command: `start` runs the daemon, `validate` checks a config file.
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { AggregatorRegistry, Registry } from 'prom-client';
import { ConfigError, type LoadedConfig, loadConfig } from './config/load.js';
import { ALL_ROLES, Daemon, type Role } from './daemon.js';
import { authStartupProblems } from './ingest/auth/startup-checks.js';
import { processCount } from './sizing.js';
import { type ProcessMessage, Supervisor } from './supervisor.js';
import { rootLogger } from './telemetry/logger.js';

const USAGE = `Usage:
  sluice start    --config FILE [--roles ingest,cutter,worker]
  sluice validate --config FILE

Options:
  -c, --config FILE   the YAML configuration (see README.md, "Configuration reference")
  --roles LIST        roles this process runs, comma-separated (default: all)
  -h, --help          show this help
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      roles: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  if (command !== 'start' && command !== 'validate') {
    process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  if (!values.config) {
    process.stderr.write(`--config FILE is required\n\n${USAGE}`);
    return 2;
  }
  const loaded = await loadConfig(values.config);
  if (command === 'validate') {
    // What `start` would refuse although the file itself is valid (the ingest role's auth checks).
    const problems = authStartupProblems(loaded.config);
    if (problems.length > 0) {
      process.stderr.write(`${problems.map((problem) => `${values.config}: ${problem}`).join('\n')}\n`);
      return 1;
    }
    const names = Object.keys(loaded.config.streams);
    process.stdout.write(`${values.config}: valid; ${names.length} stream(s): ${names.join(', ')}\n`);
    return 0;
  }
  const roles = parseRoles(values.roles);
  const processes = processCount(loaded.config);
  if (processes > 1 && cluster.isPrimary) return await new Supervisor(loaded, processes, rootLogger).run();
  if (cluster.isWorker) return await runClusterProcess(loaded, roles);
  return await runDaemon(new Daemon(loaded, { roles, admin: true, announce: true }, rootLogger));
}

/**
 * What a cluster process answers its supervisor's metrics requests with: prom-client's listener
 * only calls getMetricsAsJSON(), here the process's metrics with its delivery thread's.
 */
class ProcessRegistry extends Registry {
  constructor(private readonly daemon: Daemon) {
    super();
  }

  override getMetricsAsJSON(): ReturnType<Registry['getMetricsAsJSON']> {
    return this.daemon.metricsJson();
  }
}

/**
 * One process of a cluster: reports to the supervisor, stops on its SIGTERM (a Ctrl-C reaches
 * every process of the terminal's group, so SIGINT is left to the supervisor), and dies with it.
 */
async function runClusterProcess(loaded: LoadedConfig, roles: Set<Role>): Promise<number> {
  const log = rootLogger.child({ process: Number(process.env.SLUICE_PROCESS_INDEX ?? 0) });
  const daemon = new Daemon(loaded, { roles, admin: false, announce: false }, log);
  AggregatorRegistry.setRegistries([new ProcessRegistry(daemon)]);
  // Constructing one installs prom-client's listener that answers the supervisor's requests.
  new AggregatorRegistry();
  process.on('SIGINT', () => undefined);
  // The supervisor is gone (killed): stop at once, as the single-process daemon would have.
  process.on('disconnect', () => process.exit(1));
  const stopped = new Promise<number>((resolve) => {
    process.once('SIGTERM', () => {
      daemon.stop().then(
        () => resolve(0),
        (error: unknown) => {
          log.error('Stop failed.', { error });
          resolve(1);
        },
      );
    });
  });
  try {
    await daemon.start();
  } catch (error) {
    log.error('Sluice could not start.', { error });
    process.send?.({ sluice: 'failed', message: (error as Error).message } satisfies ProcessMessage);
    await daemon.stop().catch(() => undefined);
    return 1;
  }
  process.send?.({ sluice: 'ready' } satisfies ProcessMessage);
  return await stopped;
}

function parseRoles(list: string | undefined): Set<Role> {
  if (!list) return new Set(ALL_ROLES);
  const roles = new Set<Role>();
  for (const name of list.split(',').map((part) => part.trim())) {
    if (!(ALL_ROLES as readonly string[]).includes(name)) {
      throw new Error(`unknown role "${name}"; roles are ${ALL_ROLES.join(', ')}`);
    }
    roles.add(name as Role);
  }
  return roles;
}

async function runDaemon(daemon: Daemon): Promise<number> {
  let signalled = false;
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        rootLogger.warn('Second signal; exiting without waiting.', { signal });
        process.exit(1);
      }
      signalled = true;
      rootLogger.info('Stopping.', { signal });
      daemon.stop().then(
        () => resolve(0),
        (error: unknown) => {
          rootLogger.error('Stop failed.', { error });
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  try {
    await daemon.start();
  } catch (error) {
    rootLogger.error('Sluice could not start.', { error });
    await daemon.stop().catch(() => undefined);
    return 1;
  }
  return await stopped;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`sluice: ${(error as Error).message}\n`);
    }
    process.exit(1);
  },
);
