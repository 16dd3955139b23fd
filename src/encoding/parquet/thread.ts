// Runs inside a Parquet encoder thread (piscina): unpacks the object's records, writes the file
// and hands it back by transfer, not by copy.
import { Buffer } from 'node:buffer';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { unpackRecords } from '../../buffer/packing.js';
import type { EncodeReply, EncodeTask } from './protocol.js';
import { writeParquet } from './write.js';

export default async function encode(task: EncodeTask): Promise<unknown> {
  const packed = Buffer.from(task.records.buffer, task.records.byteOffset, task.records.byteLength);
  const reply: EncodeReply = await writeParquet(unpackRecords(packed), task.plan);
  const file = reply.file;
  if (!file) return reply;
  // piscina posts the value with the buffers listed under transferableSymbol in the transfer list.
  return move({
    get [transferableSymbol]() {
      return file.buffer;
    },
    get [valueSymbol]() {
      return reply;
    },
  });
}
