// The file destination: the same object keys as S3, as paths under a local directory (a
// landing zone). Each object is written to a temporary file beside its final path, flushed to
// disk, then renamed, so a reader never sees a partial object and a retry replaces it whole.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FileDestinationConfig } from '../../config/schema.js';
import type { DeliveryResult, ObjectDestination, OutgoingObject } from '../types.js';

export class FileDestination implements ObjectDestination {
  readonly kind = 'object';
  readonly type = 'file';
  private readonly root: string;

  /** `baseDir` resolves a relative `directory`: the config file's folder. */
  constructor(config: FileDestinationConfig, baseDir: string) {
    this.root = resolve(baseDir, config.directory);
  }

  async put(object: OutgoingObject, signal: AbortSignal): Promise<DeliveryResult> {
    const target = resolve(this.root, object.key);
    if (!target.startsWith(this.root + sep)) {
      object.body.destroy();
      return { status: 'permanent', reason: `object key "${object.key}" points outside ${this.root}` };
    }
    const temporary = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await mkdir(dirname(target), { recursive: true });
      await pipeline(object.body, createWriteStream(temporary), { signal });
      await syncPath(temporary);
      await rename(temporary, target);
      await syncPath(dirname(target)); // make the rename itself durable
      return { status: 'delivered' };
    } catch (error) {
      object.body.destroy();
      await rm(temporary, { force: true });
      return classifyFileError(error);
    }
  }

  async delete(key: string): Promise<DeliveryResult> {
    const target = resolve(this.root, key);
    if (!target.startsWith(this.root + sep)) {
      return { status: 'permanent', reason: `object key "${key}" points outside ${this.root}` };
    }
    try {
      await rm(target, { force: true });
      return { status: 'delivered' };
    } catch (error) {
      return classifyFileError(error);
    }
  }

  async healthcheck(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  async close(): Promise<void> {}
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function classifyFileError(error: unknown): DeliveryResult {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = `${code ?? 'Error'}: ${(error as Error).message}`;
  // Permission and path problems need an operator; full disks and I/O errors may pass. All are
  // retried (the batch stays buffered); the distinction shows in logs and metrics.
  if (code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR' || code === 'EROFS') {
    return { status: 'permanent', reason };
  }
  return { status: 'retry', reason };
}
