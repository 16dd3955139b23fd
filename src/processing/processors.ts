// A stream's processing chain, built from its `processing` config: each step takes pages of
// records and yields pages of records, so a batch streams through without being held whole.
import type { ProcessorConfig, TransformConfig } from '../config/processing-schema.js';
import type { OutputRecord, RecordFailure } from './records.js';
import type { TransformStep } from './transform/step.js';

export interface ProcessingStep {
  apply(
    pages: AsyncIterable<OutputRecord[]>,
    failures: RecordFailure[],
    signal: AbortSignal,
  ): AsyncIterable<OutputRecord[]>;
}

const NEWLINE = Buffer.from('\n');

/** Firehose's AppendDelimiterToRecord: a newline after every record. */
export const appendDelimiterStep: ProcessingStep = {
  async *apply(pages) {
    for await (const page of pages) {
      yield page.map((record) => ({ ...record, data: Buffer.concat([record.data, NEWLINE]) }));
    }
  },
};

export class ProcessingChain {
  constructor(
    private readonly steps: ProcessingStep[],
    /** The transform, if the chain has one (to name it in the error output). */
    readonly transform: TransformStep | undefined,
  ) {}

  static build(
    configs: ProcessorConfig[],
    transformFor: (config: TransformConfig) => TransformStep,
  ): ProcessingChain {
    let transform: TransformStep | undefined;
    const steps = configs.map((config): ProcessingStep => {
      if (config.type === 'appendDelimiter') return appendDelimiterStep;
      transform = transformFor(config);
      return transform;
    });
    return new ProcessingChain(steps, transform);
  }

  run(
    pages: AsyncIterable<OutputRecord[]>,
    failures: RecordFailure[],
    signal: AbortSignal,
  ): AsyncIterable<OutputRecord[]> {
    let current = pages;
    for (const step of this.steps) current = step.apply(current, failures, signal);
    return current;
  }
}
