// Structured logs: one JSON object a line on stdout, a short sentence plus fields.
// The level comes from SLUICE_LOG_LEVEL (debug | info | warn | error; default info).

const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof levels;
export type LogFields = Record<string, unknown>;

function thresholdFromEnv(): number {
  const wanted = process.env.SLUICE_LOG_LEVEL as LogLevel | undefined;
  return wanted && wanted in levels ? levels[wanted] : levels.info;
}

export class Logger {
  private readonly threshold = thresholdFromEnv();

  constructor(private readonly bound: LogFields = {}) {}

  /** The fields every line carries: a thread's logger continues its host's. */
  get bindings(): LogFields {
    return { ...this.bound };
  }

  child(fields: LogFields): Logger {
    return new Logger({ ...this.bound, ...fields });
  }

  debug(msg: string, fields?: LogFields): void {
    this.write('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.write('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.write('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.write('error', msg, fields);
  }

  private write(level: LogLevel, msg: string, fields?: LogFields): void {
    if (levels[level] < this.threshold) return;
    const line = { time: new Date().toISOString(), level, msg, ...this.bound, ...fields };
    process.stdout.write(`${JSON.stringify(line, errorReplacer)}\n`);
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

export const rootLogger = new Logger();
