// The `processing` list of a stream: what runs on its records between the buffer and the
// encoder, in order. Modelled on Firehose's processors (Lambda, AppendDelimiterToRecord).
import { z } from 'zod';

const transformSchema = z
  .strictObject({
    type: z
      .literal('transform')
      .describe('Run a Firehose-style transform function (the Lambda contract) on the records.'),
    module: z
      .string()
      .min(1)
      .describe(
        'The JavaScript module (ESM or CommonJS) exporting the handler; relative paths are resolved from the config file.',
      ),
    handler: z
      .string()
      .regex(/^[A-Za-z_$][\w$]*$/, { error: 'must be the name of an export, such as handler' })
      .default('handler')
      .describe(
        'Name of the exported function: `async (event, context) => ({ records })`, or callback style.',
      ),
    bufferSizeMiB: z
      .number({ error: 'must be a number between 0.1 and 64' })
      .min(0.1, { error: 'must be a number between 0.1 and 64' })
      .max(64, { error: 'must be a number between 0.1 and 64' })
      .default(1)
      .describe(
        "Records per invocation, by size (before base64), like Firehose's processor buffer (default 1 MiB).",
      ),
    timeoutSeconds: z
      .number({ error: 'must be a number between 0.1 and 900' })
      .min(0.1, { error: 'must be a number between 0.1 and 900' })
      .max(900, { error: 'must be a number between 0.1 and 900' })
      .default(60)
      .describe(
        'An invocation still running after this long is stopped (its thread is ended) and counts as failed.',
      ),
    retries: z
      .number({ error: 'must be an integer between 0 and 10' })
      .int({ error: 'must be an integer between 0 and 10' })
      .min(0, { error: 'must be an integer between 0 and 10' })
      .max(10, { error: 'must be an integer between 0 and 10' })
      .default(3)
      .describe(
        'Retries of a failed invocation (throw, timeout, out of memory, exit, malformed answer), with backoff; then its records go to the error output as processing-failed.',
      ),
    memoryLimitMiB: z
      .number({ error: 'must be an integer between 16 and 16384' })
      .int({ error: 'must be an integer between 16 and 16384' })
      .min(16, { error: 'must be an integer between 16 and 16384' })
      .max(16384, { error: 'must be an integer between 16 and 16384' })
      .default(256)
      .describe(
        'Heap limit of each transform thread; an invocation that passes it fails and its thread is replaced.',
      ),
  })
  .describe('A transform function.');

const appendDelimiterSchema = z
  .strictObject({
    type: z
      .literal('appendDelimiter')
      .describe('Append a newline to every record (Firehose AppendDelimiterToRecord).'),
  })
  .describe('Newline after each record.');

export const processorSchema = z.discriminatedUnion('type', [transformSchema, appendDelimiterSchema], {
  error: 'must have a `type` of transform or appendDelimiter',
});

export const processingSchema = z
  .array(processorSchema)
  .default([])
  .refine((list) => list.filter((p) => p.type === 'transform').length <= 1, {
    error: 'at most one transform per stream (chain the functions inside it)',
  })
  .describe('Processors applied to each batch, in order, before encoding.');

export type ProcessorConfig = z.infer<typeof processorSchema>;
export type TransformConfig = z.infer<typeof transformSchema>;
