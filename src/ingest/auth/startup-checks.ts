// Checks of the auth config that need the rest of the config, run by `sluice start` (which
// refuses to start) and `sluice validate`: an unauthenticated ingest port must stay on loopback
// unless the config says otherwise, and a key may only be limited to streams that exist.
import { isIP } from 'node:net';
import type { Config } from '../../config/schema.js';

export function authStartupProblems(config: Config): string[] {
  const { auth, ingest } = config;
  const problems: string[] = [];
  if (auth.mode === 'none' && !auth.allowUnauthenticated && !isLoopback(ingest.host)) {
    problems.push(
      `auth.mode is none, but ingest.host ${ingest.host} is not a loopback address: anyone who can reach port ${ingest.port} could put records. ` +
        'Configure keys (auth.mode: keys), listen on 127.0.0.1, or set auth.allowUnauthenticated: true.',
    );
  }
  const streams = new Set(Object.keys(config.streams));
  const lists = [
    ...auth.accessKeys.map((key, i) => [`auth.accessKeys[${i}].streams`, key.streams] as const),
    ...auth.apiKeys.map((key, i) => [`auth.apiKeys[${i}].streams`, key.streams] as const),
  ];
  for (const [path, names] of lists) {
    for (const name of names ?? []) {
      if (!streams.has(name)) problems.push(`${path} names "${name}", which is not a stream of this config.`);
    }
  }
  return problems;
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`: only this machine can connect. */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase();
  if (name === 'localhost') return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) {
    if (name.startsWith('::ffff:')) return isLoopback(name.slice('::ffff:'.length));
    return /^(0{0,4}:){1,7}0{0,3}1$/.test(name) || name === '::1';
  }
  return false;
}
