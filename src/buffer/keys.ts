// Every Redis key Sluice writes is built here, so the layout can be read in one place.
// All keys of one delivery stream share the hash tag `{<stream>}`, so the Lua scripts that
// touch several of them stay atomic on one Redis Cluster slot.

export interface StreamKeys {
  /** The Redis stream holding packed ingest requests, one entry per request. */
  records: string;
  /** Hash: cut cursor, pending (not yet cut) totals, backlog bytes, batch sequence. */
  meta: string;
  /** Hash: batch sequence → batch descriptor (see batch.ts), for batches not yet delivered. */
  batches: string;
  /** Sorted set of open batch sequences, so the oldest open batch is found in O(log n). */
  open: string;
}

export function streamKeys(prefix: string, stream: string): StreamKeys {
  const base = `${prefix}:{${stream}}`;
  return {
    records: `${base}:records`,
    meta: `${base}:meta`,
    batches: `${base}:batches`,
    open: `${base}:open`,
  };
}

/**
 * Set of the object keys written for one batch, so a retry that writes fewer or other keys
 * (a transform that failed a record the first time and not the second) can remove the rest.
 */
export function writtenKeysKey(keys: StreamKeys, seq: number): string {
  return `${keys.meta.slice(0, -':meta'.length)}:written:${seq}`;
}

/**
 * The two generations of request tokens the append script remembers (lua/append.lua), so an
 * append the Redis client re-sends after a broken connection is not stored twice.
 */
export function requestTokenKeys(keys: StreamKeys): [current: string, previous: string] {
  const base = keys.meta.slice(0, -':meta'.length);
  return [`${base}:tokens`, `${base}:tokens:previous`];
}

/** Order of keys as every buffer script declares them in its header. */
export function scriptKeys(keys: StreamKeys): string[] {
  return [keys.records, keys.meta, keys.batches, keys.open];
}

/** BullMQ's prefix: its keys live under `<prefix>:bull:<queue>:...`. */
export function queuePrefix(prefix: string): string {
  return `${prefix}:bull`;
}

export const DELIVERY_QUEUE = 'delivery';
