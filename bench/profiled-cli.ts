// Runs the Sluice CLI under V8's sampling profiler, for `npm run bench -- --cpu-prof`. Node
// refuses --cpu-prof in NODE_OPTIONS and the tests' startDaemon() passes no node flags, so the
// profiler is started in-process through node:inspector instead; the profile is written on
// exit (the daemon exits through process.exit after a graceful SIGTERM stop) into the directory
// named by SLUICE_BENCH_CPU_PROFILE_DIR, in the same .cpuprofile format as --cpu-prof.
import { mkdirSync, writeFileSync } from 'node:fs';
import { type Profiler, Session } from 'node:inspector';
import { join } from 'node:path';
import { cliPath } from '../test/support/process.js';

const dir = process.env.SLUICE_BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    // Posting to an in-thread session answers synchronously, so this completes before exit.
    session.post('Profiler.stop', (error, result: Profiler.StopReturnType) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `sluice-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
await import(cliPath);
