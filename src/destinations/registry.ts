// Destinations by the config's `destination.type`. Adding one is a new folder plus a line here.
import type { DestinationConfig } from '../config/schema.js';
import { FileDestination } from './file/index.js';
import { S3Destination } from './s3/index.js';
import type { Destination } from './types.js';

export function createDestination(config: DestinationConfig, baseDir: string): Destination {
  switch (config.type) {
    case 's3':
      return new S3Destination(config);
    case 'file':
      return new FileDestination(config, baseDir);
  }
}
