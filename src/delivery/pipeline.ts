// What one delivery stream needs to deliver a batch, built once from its config.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StreamBuffer } from '../buffer/stream-buffer.js';
import type { CompressionPool } from '../compression/pool.js';
import { createCompressor } from '../compression/registry.js';
import type { Compressor } from '../compression/types.js';
import type { StreamConfig } from '../config/schema.js';
import { createDestination } from '../destinations/registry.js';
import type { Destination } from '../destinations/types.js';
import { createEncoder } from '../encoding/registry.js';
import type { Encoder } from '../encoding/types.js';
import { Partitioner } from '../partitioning/partitioner.js';
import { ProcessingChain } from '../processing/processors.js';
import type { TransformPools } from '../processing/transform/pool.js';
import { TransformStep } from '../processing/transform/step.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { PrefixTemplate } from './prefix.js';

export interface StreamPipeline {
  stream: string;
  config: StreamConfig;
  buffer: StreamBuffer;
  processing: ProcessingChain;
  encoder: Encoder;
  compressor: Compressor;
  destination: Destination;
  prefix: PrefixTemplate;
  errorPrefix: PrefixTemplate;
  backupPrefix: PrefixTemplate | undefined;
  /** Present when the prefix has partition key expressions. */
  partitioner: Partitioner | undefined;
  /** The extension of data objects: the format's and the compression's, or fileExtension. */
  extension: string;
  contentType: string;
}

export interface PipelineDeps {
  /** The config file's folder: relative paths (file destinations, transform modules) start here. */
  baseDir: string;
  pools: TransformPools;
  compression: CompressionPool;
  threads: number;
  /** Firehose identity passed to transforms in their event. */
  deliveryStreamArn(stream: string): string;
  region: string;
  metrics: Metrics;
  log: Logger;
}

export function buildPipeline(
  stream: string,
  config: StreamConfig,
  buffer: StreamBuffer,
  deps: PipelineDeps,
): StreamPipeline {
  const encoder = createEncoder(config.format, { threads: deps.threads });
  const processing = ProcessingChain.build(config.processing, (transform) => {
    return new TransformStep({
      stream,
      config: transform,
      moduleUrl: pathToFileURL(resolve(deps.baseDir, transform.module)).href,
      deliveryStreamArn: deps.deliveryStreamArn(stream),
      region: deps.region,
      pools: deps.pools,
      parallel: deps.threads,
      metrics: deps.metrics,
      log: deps.log,
    });
  });
  const compressor = createCompressor(
    encoder.handlesCompression ? 'none' : config.compression,
    config.compressionLevel,
    deps.compression,
  );
  const destination = config.destination;
  const prefix = PrefixTemplate.parse(destination.prefix ?? '');
  return {
    stream,
    config,
    buffer,
    processing,
    encoder,
    compressor,
    destination: createDestination(destination, deps.baseDir),
    prefix,
    errorPrefix: PrefixTemplate.parse(destination.errorOutputPrefix, 'error'),
    backupPrefix: config.backup ? PrefixTemplate.parse(config.backup.prefix) : undefined,
    partitioner: prefix.partitioned
      ? new Partitioner(
          prefix,
          config.partitioning?.keys ?? {},
          config.partitioning?.maxActivePartitions ?? 500,
        )
      : undefined,
    extension: destination.fileExtension ?? encoder.extension + compressor.extension,
    contentType:
      (destination.type === 's3' ? destination.contentType : undefined) ??
      compressor.contentType ??
      encoder.contentType,
  };
}
