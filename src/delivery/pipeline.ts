// What one delivery stream needs to deliver a batch, built once from its config.
import type { StreamBuffer } from '../buffer/stream-buffer.js';
import { compressorFor } from '../compression/registry.js';
import type { Compressor } from '../compression/types.js';
import type { StreamConfig } from '../config/schema.js';
import { createDestination } from '../destinations/registry.js';
import type { Destination } from '../destinations/types.js';
import { encoderFor } from '../encoding/registry.js';
import type { Encoder } from '../encoding/types.js';
import { PrefixTemplate } from './prefix.js';

export interface StreamPipeline {
  stream: string;
  config: StreamConfig;
  buffer: StreamBuffer;
  encoder: Encoder;
  compressor: Compressor;
  destination: Destination;
  prefix: PrefixTemplate;
}

export function buildPipeline(
  stream: string,
  config: StreamConfig,
  buffer: StreamBuffer,
  baseDir: string,
): StreamPipeline {
  const encoder = encoderFor(config.format.type);
  return {
    stream,
    config,
    buffer,
    encoder,
    compressor: compressorFor(encoder.handlesCompression ? 'none' : config.compression),
    destination: createDestination(config.destination, baseDir),
    prefix: PrefixTemplate.parse(config.destination.prefix ?? ''),
  };
}
