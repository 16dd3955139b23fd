// The main thread's side of one object's conversation with an encoder thread (protocol.ts): send
// chunks of records, take the thread's replies in order. A failure of the thread (an exception in
// the writer, a crash, the pool destroyed) rejects every reply still awaited.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { packRecords } from '../../buffer/packing.js';
import type { OutputRecord } from '../../processing/records.js';
import type { EncodeTask, ToThread, Written } from './protocol.js';
import type { ParquetPlan } from './schema.js';

/** packRecords' buffer, or a copy of it when it is a slice of Node's shared pool (small buffers). */
function ownBuffer(packed: Buffer): Uint8Array {
  // A pooled slice cannot be transferred: Node 24 throws, Node 20 silently copies it.
  return packed.byteOffset === 0 && packed.byteLength === packed.buffer.byteLength
    ? packed
    : new Uint8Array(packed);
}

interface Waiter {
  resolve(written: Written): void;
  reject(error: Error): void;
}

export class EncoderSession {
  private readonly port: MessagePort;
  private readonly arrived: Written[] = [];
  private readonly waiters: Waiter[] = [];
  private failure: Error | undefined;
  private open = true;

  constructor(pool: Piscina, plan: ParquetPlan) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const task: EncodeTask = { plan, port: port2 };
    const done: Promise<unknown> = pool.run(task, { transferList: [port2] });
    done.catch((error: unknown) => this.fail(error as Error));
    port1.on('message', (written: Written) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(written);
      else this.arrived.push(written);
    });
    // The thread closes its end after its last reply, or when it fails: then the task's
    // rejection carries the reason, so wait for the task before saying anything.
    port1.on('close', () => {
      done.then(
        () => this.fail(new Error('the encoder thread ended the object before its last reply')),
        () => {},
      );
    });
  }

  /** Sends records to be appended; one reply (next) answers each call. */
  send(records: readonly OutputRecord[], bytes: number): void {
    const packed = ownBuffer(
      packRecords(
        records.map((record) => record.data),
        bytes,
      ),
    );
    this.post({ type: 'rows', records: packed }, [packed.buffer as ArrayBuffer]);
  }

  /** Asks for the rest of the file; one reply (next) answers it, and the session is over. */
  end(): void {
    this.post({ type: 'end' }, []);
  }

  /** The next reply, in the order of the requests. */
  next(): Promise<Written> {
    const written = this.arrived.shift();
    if (written) return Promise.resolve(written);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Lets go of the thread: `abort` tells it to drop the object (the file is not finished). */
  close(abort: boolean): void {
    if (!this.open) return;
    if (abort) this.post({ type: 'abort' }, []);
    this.open = false;
    this.port.close();
  }

  private post(message: ToThread, transfer: ArrayBuffer[]): void {
    if (!this.open) throw new Error('the Parquet encoder session is closed');
    this.port.postMessage(message, transfer);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
  }
}
