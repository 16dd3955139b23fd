// The one description of Sluice's configuration. The loader validates with it, the README's
// reference is generated from it (scripts/gen-config-docs.ts), and a test checks they agree.
// Every object is strict (an unknown key is an error) and every field has a description.
import { z } from 'zod';
import { PrefixError, type PrefixKind, PrefixTemplate } from '../delivery/prefix.js';
import { authSchema } from './auth-schema.js';
import { firehoseApiSchema } from './firehose-schema.js';
import { backupSchema, formatSchema, partitioningSchema } from './format-schema.js';

export { formatSchema };

import { processingSchema } from './processing-schema.js';

const MiB = 1024 * 1024;

/** An integer with a readable range message, as users see it next to the YAML line. */
function intBetween(min: number, max: number) {
  const message = `must be an integer between ${min} and ${max}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
}

function port() {
  return intBetween(0, 65535);
}

// Firehose's own rule for delivery stream names.
const streamName = z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, {
  error: 'must be 1 to 64 characters of letters, digits, "_", "." and "-"',
});

export const bufferingSchema = z
  .strictObject({
    sizeMiB: intBetween(1, 128)
      .default(5)
      .describe(
        'Close a batch when the records buffered since the last batch reach this many MiB (before compression). Firehose: 1-128, default 5.',
      ),
    intervalSeconds: intBetween(0, 900)
      .default(300)
      .describe(
        'Close a batch when its oldest record has waited this long. 0 delivers as soon as possible (within about 100 ms). Firehose: 0-900, default 300.',
      ),
  })
  .describe('When a batch closes: whichever of the two limits is reached first.');

export const compressionSchema = z
  .enum(['none', 'gzip', 'zstd'])
  .describe('Compression of each object: `none`, `gzip` (extension `.gz`) or `zstd` (extension `.zst`).');

export const retrySchema = z
  .strictObject({
    initialBackoffSeconds: z
      .number()
      .positive({ error: 'must be greater than 0' })
      .max(600, { error: 'must be at most 600' })
      .default(1)
      .describe('Wait before the first retry of a failed delivery; doubled on every further failure.'),
    maxBackoffSeconds: z
      .number()
      .positive({ error: 'must be greater than 0' })
      .max(3600, { error: 'must be at most 3600' })
      .default(60)
      .describe('The longest wait between two delivery attempts. A batch is retried until it is delivered.'),
  })
  .describe('Retry of failed deliveries (shared by every destination). The batch stays in Redis meanwhile.');

const credentialsSchema = z
  .strictObject({
    accessKeyId: z.string().min(1).describe('Access key ID.'),
    secretAccessKey: z
      .string()
      .min(1)
      // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the config's ${VAR} syntax
      .describe('Secret access key; use `${VAR}` to read it from the environment.'),
    sessionToken: z.string().min(1).optional().describe('Session token for temporary credentials.'),
  })
  .describe(
    'Static credentials. When absent, the AWS SDK default chain is used (environment, profile, instance role).',
  );

/** A key prefix, parsed here so a bad expression is a config error with its line. */
function prefixString(kind: PrefixKind) {
  return z
    .string()
    .max(1024, { error: 'must be at most 1024 characters' })
    .superRefine((prefix, ctx) => {
      try {
        PrefixTemplate.parse(prefix, kind);
      } catch (error) {
        if (!(error instanceof PrefixError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
      }
    });
}

const errorOutputPrefixField = prefixString('error')
  .default('errors/')
  .describe(
    'Key prefix of the error output: records that failed processing land under it as JSON lines with the reason. `!{firehose:error-output-type}` expands to `processing-failed` (and later kinds); without it, `<type>/` is appended. Then the default time layout, as for `prefix`.',
  );

const fileExtensionField = z
  .string()
  .regex(/^$|^\.[0-9a-z!\-_.*'()]{1,127}$/, { error: "must be empty or start with . (Firehose's rule)" })
  .optional()
  .describe(
    "Replaces the default file extension (`.gz`, `.zst`, `.parquet`, ...), as Firehose's FileExtension.",
  );

const prefixField = prefixString('data')
  .optional()
  .describe(
    "Key prefix. Supports `!{timestamp:<pattern>}` and `!{firehose:random-string}`. When it has no timestamp expression, Firehose's `YYYY/MM/dd/HH/` (UTC) is appended.",
  );

export const s3DestinationSchema = z
  .strictObject({
    type: z.literal('s3').describe('Deliver to an S3-compatible object store (AWS S3, MinIO, ...).'),
    bucket: z
      .string()
      .min(3, { error: 'must be a bucket name of at least 3 characters' })
      .describe('Target bucket.'),
    prefix: prefixField,
    errorOutputPrefix: errorOutputPrefixField,
    endpoint: z
      .url({ error: 'must be a URL such as http://127.0.0.1:9000' })
      .optional()
      .describe('Endpoint of an S3-compatible store (MinIO, ...). Omit for AWS S3.'),
    region: z.string().min(1).default('us-east-1').describe('Region to sign requests for.'),
    forcePathStyle: z
      .boolean()
      .default(false)
      .describe('Use path-style URLs (`endpoint/bucket/key`); most S3-compatible stores need `true`.'),
    credentials: credentialsSchema.optional(),
    fileExtension: fileExtensionField,
    serverSideEncryption: z
      .enum(['AES256', 'aws:kms'])
      .optional()
      .describe('Server-side encryption of every object written.'),
    kmsKeyId: z.string().min(1).optional().describe('KMS key for `serverSideEncryption: aws:kms`.'),
    storageClass: z
      .enum(
        [
          'STANDARD',
          'STANDARD_IA',
          'ONEZONE_IA',
          'INTELLIGENT_TIERING',
          'GLACIER',
          'GLACIER_IR',
          'DEEP_ARCHIVE',
          'REDUCED_REDUNDANCY',
        ],
        { error: 'must be an S3 storage class such as STANDARD or STANDARD_IA' },
      )
      .optional()
      .describe('Storage class of every object written.'),
    contentType: z
      .string()
      .min(1)
      .optional()
      .describe('Content-Type of every object written, instead of the one the format and compression imply.'),
    partSizeMiB: intBetween(5, 512)
      .default(8)
      .describe(
        'Objects larger than this are sent as a multipart upload in parts of this size; memory per upload is bounded by about 2 parts.',
      ),
    requestTimeoutSeconds: intBetween(1, 3600)
      .default(120)
      .describe('Abort a single upload that takes longer than this, and retry it.'),
  })
  .describe('S3 destination.');

export const fileDestinationSchema = z
  .strictObject({
    type: z.literal('file').describe('Write objects to a local directory (a landing zone), atomically.'),
    directory: z
      .string()
      .min(1)
      .describe('Directory the objects are written under; relative paths are resolved from the config file.'),
    prefix: prefixField,
    errorOutputPrefix: errorOutputPrefixField,
    fileExtension: fileExtensionField,
  })
  .describe('Local file destination: the same keys as S3, as paths under `directory`.');

export const destinationSchema = z
  .discriminatedUnion('type', [s3DestinationSchema, fileDestinationSchema], {
    error: 'must have a `type` of s3 or file',
  })
  .describe('Where batches are delivered; `type` chooses the kind of destination and its options.');

type StreamShape = {
  format: { type: string };
  compression: string;
  compressionLevel?: number | undefined;
  processing: { type: string }[];
  partitioning?: { keys: Record<string, string> } | undefined;
  destination: { prefix?: string | undefined };
};

export const streamSchema = z
  .strictObject({
    buffering: bufferingSchema.prefault({}),
    maxBacklogMiB: intBetween(1, 1024 * 1024)
      .default(1024)
      .describe(
        'Most MiB of records kept in Redis for this stream (not yet delivered). Past it, ingest refuses new records with 503; it never evicts.',
      ),
    format: formatSchema.prefault({ type: 'ndjson' }),
    compression: compressionSchema.default('none'),
    compressionLevel: intBetween(-7, 22)
      .optional()
      .describe('Compression level: gzip 1-9 (default 6), zstd -7 to 22 (default 3).'),
    retry: retrySchema.prefault({}),
    processing: processingSchema,
    partitioning: partitioningSchema.optional(),
    backup: backupSchema.optional(),
    destination: destinationSchema,
  })
  .superRefine(checkStreamConsistency)
  .describe('One delivery stream.');

/** Rules that span several options of a stream; each issue points at the option to change. */
function checkStreamConsistency(stream: StreamShape, ctx: z.RefinementCtx): void {
  if (stream.format.type === 'parquet' && stream.compression !== 'none') {
    ctx.addIssue({
      code: 'custom',
      path: ['compression'],
      message:
        'must be none with format parquet: Parquet compresses its own pages (set format.compression instead)',
    });
  }
  const level = stream.compressionLevel;
  if (level !== undefined) {
    if (stream.compression === 'none') {
      ctx.addIssue({ code: 'custom', path: ['compressionLevel'], message: 'needs compression gzip or zstd' });
    } else if (stream.compression === 'gzip' && (level < 1 || level > 9)) {
      ctx.addIssue({
        code: 'custom',
        path: ['compressionLevel'],
        message: 'must be between 1 and 9 for gzip',
      });
    }
  }
  const prefix = PrefixTemplate.tryParse(stream.destination.prefix ?? '');
  if (!prefix) return; // the prefix field reports its own error
  const queryKeys = Object.keys(stream.partitioning?.keys ?? {});
  for (const name of prefix.queryKeys) {
    if (!queryKeys.includes(name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['destination', 'prefix'],
        message: `!{partitionKeyFromQuery:${name}} needs partitioning.keys.${name}`,
      });
    }
  }
  if (prefix.lambdaKeys.length > 0 && !stream.processing.some((p) => p.type === 'transform')) {
    ctx.addIssue({
      code: 'custom',
      path: ['destination', 'prefix'],
      message: '!{partitionKeyFromLambda:...} needs a transform that returns metadata.partitionKeys',
    });
  }
  if (stream.partitioning && !prefix.partitioned) {
    ctx.addIssue({
      code: 'custom',
      path: ['destination', 'prefix'],
      message:
        'with partitioning, the prefix must use !{partitionKeyFromQuery:...} or !{partitionKeyFromLambda:...}',
    });
  }
}

export const configSchema = z
  .strictObject({
    redis: z
      .strictObject({
        url: z
          .string()
          .regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL' })
          .default('redis://127.0.0.1:6379')
          .describe(
            'Redis server holding the buffer and the job queue. Its maxmemory-policy must be noeviction.',
          ),
        keyPrefix: z
          .string()
          .regex(/^[a-zA-Z0-9_.:-]{1,64}$/, {
            error: 'must be 1 to 64 characters of letters, digits, "_", ".", ":" and "-"',
          })
          .default('sluice')
          .describe('Prefix of every Redis key Sluice writes, so several deployments can share one Redis.'),
      })
      .prefault({})
      .describe('Redis connection.'),
    ingest: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1').describe('Address the ingest HTTP server listens on.'),
        port: port().default(4573).describe('Port of the ingest HTTP server.'),
        maxRecordBytes: intBetween(1, 64 * MiB)
          .default(1_024_000)
          .describe("Largest record accepted, in bytes. Firehose's limit: 1,024,000."),
        maxRequestBytes: intBetween(1, 256 * MiB)
          .default(4 * MiB)
          .describe(
            "Largest request accepted, in bytes: an NDJSON body, or the records of a PutRecordBatch after base64 decoding (Firehose's limit: 4 MiB).",
          ),
        firehose: firehoseApiSchema.prefault({}),
        durability: z
          .enum(['local', 'replicated'])
          .default('local')
          .describe(
            '`local`: a put is acked once the Redis primary has the records (durable as far as its AOF is; see Guarantees). `replicated`: it is acked only once `replicas` replicas have them too (Redis `WAIT`), so losing the primary loses no acked record.',
          ),
        replicas: intBetween(1, 16)
          .default(1)
          .describe(
            'With `durability: replicated`, how many replicas must confirm a put before it is acked.',
          ),
        replicaTimeoutMs: intBetween(1, 60_000)
          .default(1000)
          .describe(
            'With `durability: replicated`, how long a put waits for the replicas; past it the put is answered 503 `NotReplicated` (the records may still be stored).',
          ),
        headersTimeoutSeconds: intBetween(1, 600)
          .default(10)
          .describe(
            'A client must send its request line and headers within this many seconds, else it is answered 408 `RequestTimeout` and disconnected (slow clients cannot hold connections).',
          ),
        requestTimeoutSeconds: intBetween(1, 3600)
          .default(60)
          .describe(
            'A client must send its whole request, headers and body, within this many seconds, else 408 `RequestTimeout`. At least `headersTimeoutSeconds`.',
          ),
        maxConnections: intBetween(1, 1_000_000)
          .default(1024)
          .describe(
            'Most client connections open at once, per process (`processes`); a connection past it is closed as soon as it is accepted (the client sees a reset and retries).',
          ),
        maxInflightMiB: intBetween(1, 64 * 1024)
          .default(256)
          .describe(
            'Most MiB of request bodies held in memory at once, over all connections of a process; a request that would pass it is answered 503 `Overloaded`. Bounds ingest memory at about three times this.',
          ),
        tls: z
          .strictObject({
            certFile: z
              .string()
              .min(1)
              .describe('PEM certificate (chain) file; a relative path is resolved from the config file.'),
            keyFile: z
              .string()
              .min(1)
              .describe('PEM private key file; a relative path is resolved from the config file.'),
          })
          .optional()
          .describe('Serve ingest over HTTPS with this certificate and key (read at start).'),
      })
      .superRefine((ingest, ctx) => {
        if (ingest.headersTimeoutSeconds > ingest.requestTimeoutSeconds) {
          ctx.addIssue({
            code: 'custom',
            path: ['headersTimeoutSeconds'],
            message: 'must be at most requestTimeoutSeconds',
          });
        }
      })
      .prefault({})
      .describe('HTTP ingest.'),
    admin: z
      .strictObject({
        host: z
          .string()
          .min(1)
          .default('127.0.0.1')
          .describe('Address of the admin server (/metrics, /healthz, /readyz).'),
        port: port().default(9464).describe('Port of the admin server.'),
      })
      .prefault({})
      .describe('Admin HTTP server.'),
    workers: z
      .strictObject({
        concurrency: intBetween(1, 256).default(4).describe('Batches each daemon process delivers at once.'),
        threads: intBetween(1, 256)
          .optional()
          .describe(
            'Worker threads per process in each thread pool (transforms, per distinct memoryLimitMiB; compression; Parquet encoding). Default: the cores divided among the processes (at least 1).',
          ),
        deliveryThread: z
          .boolean()
          .default(false)
          .describe(
            'In a process that both ingests and delivers, deliver on a worker thread of its own, so acks do not wait behind delivery work (reading batches, encoding, the S3 client) or its garbage collection. On 2 cores it raised NDJSON + zstd throughput by ~17 % and cut the ingest p99 by ~10-30 %, for ~120 MiB more memory per process (a second JavaScript heap).',
          ),
        lockSeconds: intBetween(5, 3600)
          .default(30)
          .describe(
            'How long a worker holds a batch without renewing its lock; after a crash the batch is picked up again within about this time.',
          ),
      })
      .prefault({})
      .describe('Delivery workers.'),
    processes: intBetween(1, 64)
      .optional()
      .describe(
        'Processes this daemon runs, sharing the ingest port and the batches (node:cluster; the first process supervises them and serves the admin port). Default: one per two cores (at least 1): each process keeps about two cores busy, its main thread and its worker threads.',
      ),
    shutdown: z
      .strictObject({
        timeoutSeconds: intBetween(1, 3600)
          .default(30)
          .describe(
            'On SIGTERM, how long in-flight batches may take to finish before the process exits anyway.',
          ),
      })
      .prefault({})
      .describe('Graceful shutdown.'),
    auth: authSchema,
    streams: z
      .record(streamName, streamSchema)
      .refine((streams) => Object.keys(streams).length > 0, { error: 'must declare at least one stream' })
      .describe('Delivery streams, by name.'),
  })
  .describe('Sluice configuration.');

export type Config = z.infer<typeof configSchema>;
export type StreamConfig = z.infer<typeof streamSchema>;
export type DestinationConfig = z.infer<typeof destinationSchema>;
export type S3DestinationConfig = z.infer<typeof s3DestinationSchema>;
export type FileDestinationConfig = z.infer<typeof fileDestinationSchema>;
export type CompressionName = z.infer<typeof compressionSchema>;
