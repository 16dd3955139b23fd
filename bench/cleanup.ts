// Everything a scenario starts registers its undo here, so a failure or Ctrl-C at any point
// stops the processes and removes the temp dirs that exist at that point, newest first
// (loadgen, then daemon, then s3rver and Redis, then the directories they used).

type Step = { name: string; undo: () => Promise<unknown> };

export class Cleanup {
  private readonly steps: Step[] = [];
  private running: Promise<string[]> | undefined;

  add(name: string, undo: () => Promise<unknown>): void {
    this.steps.push({ name, undo });
  }

  /** Runs every step once, last added first; returns the failures instead of stopping at one. */
  run(): Promise<string[]> {
    this.running ??= (async () => {
      const failures: string[] = [];
      for (const step of this.steps.reverse()) {
        try {
          await step.undo();
        } catch (error) {
          failures.push(`${step.name}: ${(error as Error).message}`);
        }
      }
      return failures;
    })();
    return this.running;
  }
}

/**
 * On SIGINT/SIGTERM runs `current()`'s cleanup and exits 130. A second signal exits at once; the
 * tests' process helper then SIGKILLs the children it tracks on exit.
 */
export function cleanUpOnSignals(current: () => Cleanup | undefined): void {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping everything the benchmark started...\n`);
    const cleanup = current();
    (cleanup ? cleanup.run() : Promise.resolve([])).then(
      (failures) => {
        for (const failure of failures) process.stderr.write(`cleanup: ${failure}\n`);
        process.exit(130);
      },
      () => process.exit(130),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
