// Runs inside a Parquet encoder thread (piscina): one task is one object. Its records arrive in
// chunks over the task's port (protocol.ts); each chunk is appended as soon as it arrives and the
// bytes it completed go straight back, so the thread holds one chunk and one row group at a time.
import { Buffer } from 'node:buffer';
import { unpackRecords } from '../../buffer/packing.js';
import type { EncodeTask, ToThread, Written } from './protocol.js';
import { ParquetFileWriter } from './write.js';

export default function encode(task: EncodeTask): Promise<void> {
  const { port } = task;
  const writer = new ParquetFileWriter(task.plan);
  const reply = (written: Written): void => {
    port.postMessage(written, written.bytes ? [written.bytes.buffer as ArrayBuffer] : []);
  };
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      port.removeAllListeners();
      // Closing after the last reply loses nothing: the main thread receives what was posted first.
      port.close();
      if (error) reject(error);
      else resolve();
    };
    const handle = async (message: ToThread): Promise<void> => {
      if (settled) return;
      switch (message.type) {
        case 'rows': {
          const { records } = message;
          const packed = Buffer.from(records.buffer, records.byteOffset, records.byteLength);
          reply(await writer.append(unpackRecords(packed)));
          return;
        }
        case 'end':
          reply({ bytes: await writer.finish(), failures: [] });
          settle();
          return;
        case 'abort':
          settle();
          return;
      }
    };
    // One message at a time, in order: appendRow is asynchronous.
    let queue = Promise.resolve();
    port.on('message', (message: ToThread) => {
      queue = queue.then(() => handle(message)).catch((error: unknown) => settle(error as Error));
    });
    // The main thread closed its end without `end` or `abort`: nobody wants the file.
    port.on('close', () => settle());
  });
}
