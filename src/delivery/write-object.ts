// Streams one object to an object destination: chunks → compression → byte counter → put.
// The key is noted in Redis before the put (see writtenKeysKey), and nothing is written when
// the chunks turn out to be empty (every record dropped or failed).
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import type { DeliveryResult, ObjectDestination } from '../destinations/types.js';
import type { StreamPipeline } from './pipeline.js';

export type WriteResult =
  | { status: 'written'; bytes: number }
  | { status: 'empty' }
  | Exclude<DeliveryResult, { status: 'delivered' }>;

export async function writeObject(
  pipe: StreamPipeline,
  destination: ObjectDestination,
  seq: number,
  key: string,
  contentType: string,
  chunks: AsyncIterable<Buffer>,
  signal: AbortSignal,
): Promise<WriteResult> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return { status: 'empty' };
  await pipe.buffer.noteWrittenKey(seq, key);
  const counter = new ByteCounter();
  // Read ahead by one chunk (a page of records, ~4 MiB): Readable.from's default of 16 objects
  // would hold most of a 64 MiB batch in memory whenever compression is the slower side.
  const source = Readable.from(prepend(first.value, iterator), { highWaterMark: 1 });
  pipeline(source, pipe.compressor.stream(), counter, () => {
    // Errors reach the destination through `counter`, which pipeline destroys with them.
  });
  let result: DeliveryResult;
  try {
    result = await destination.put({ key, body: counter, contentType }, signal);
  } catch (error) {
    // A destination should classify its own failures; anything it let escape is retried.
    counter.destroy();
    result = { status: 'retry', reason: `unexpected error: ${(error as Error).message}` };
  }
  return result.status === 'delivered' ? { status: 'written', bytes: counter.bytes } : result;
}

async function* prepend(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

class ByteCounter extends Transform {
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}
