// A batch is a contiguous, closed range of stream entry IDs, registered atomically with the
// advance of the cut cursor (lua/cut.lua writes the descriptor parsed here).

export type CutTrigger = 'size' | 'time';

export interface Batch {
  stream: string;
  seq: number;
  firstId: string;
  lastId: string;
  records: number;
  bytes: number;
  cutAtMs: number;
  trigger: CutTrigger;
  /** Arrival time of the batch's first record: the time in its object key and prefix. */
  firstArrivalMs: number;
}

export function entryTimeMs(entryId: string): number {
  return Number(entryId.slice(0, entryId.indexOf('-')));
}

export function parseBatchDescriptor(stream: string, seq: number, descriptor: string): Batch {
  const [firstId, lastId, records, bytes, cutAtMs, trigger] = descriptor.split(' ');
  if (!firstId || !lastId || !records || !bytes || !cutAtMs || (trigger !== 'size' && trigger !== 'time')) {
    throw new Error(`malformed batch descriptor for ${stream} #${seq}: ${descriptor}`);
  }
  return {
    stream,
    seq,
    firstId,
    lastId,
    records: Number(records),
    bytes: Number(bytes),
    cutAtMs: Number(cutAtMs),
    trigger,
    firstArrivalMs: entryTimeMs(firstId),
  };
}

/** A record's ID: its entry's ID and its index in the entry (DESIGN.md section 3). */
export function recordId(entryId: string, index: number): string {
  return `${entryId}:${index}`;
}
