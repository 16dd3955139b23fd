import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export interface TestRedis {
  redis: Redis;
  url: string;
  /** Unique to this call; every key the test creates must start with it (BullMQ: `${prefix}:bull`). */
  prefix: string;
  /** Deletes every key starting with `prefix`, then closes `redis`. Safe to call more than once. */
  cleanup(): Promise<void>;
}

// SCAN MATCH takes a glob; escape its metacharacters so the prefix is matched literally.
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Deletes all keys starting with `prefix` and returns how many were removed. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  const pattern = `${globEscape(prefix)}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    // SCAN may return a key twice across iterations; UNLINK of a gone key just counts 0.
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

// quit() resolves on the server's OK, before the socket is closed; waiting for 'end' means the
// connection no longer keeps the test process alive when cleanup() returns.
async function close(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  const ended = new Promise((resolve) => redis.once('end', resolve));
  await redis.quit().catch(() => redis.disconnect());
  await ended;
}

/**
 * A connection to the shared development Redis plus a key prefix of its own, so tests running
 * in parallel (and leftovers of crashed runs) never see each other's keys.
 */
export async function testRedis(): Promise<TestRedis> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `sluice-test-${process.pid}-${randomBytes(6).toString('hex')}`;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  // Without a listener ioredis reports every failed reconnect as an unhandled 'error' event.
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    // connect() rejects with a generic "Connection is closed"; the 'error' event has the cause.
    const cause = lastError ?? err;
    throw new Error(
      `cannot connect to Redis at ${url} (set REDIS_URL): ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }

  let cleaning: Promise<void> | undefined;
  return {
    redis,
    url,
    prefix,
    cleanup() {
      cleaning ??= (async () => {
        // A separate connection, so cleanup still works if the test quit `redis` or left it in
        // subscriber mode.
        const cleaner = new Redis(url, { maxRetriesPerRequest: 1 });
        cleaner.on('error', () => {});
        try {
          await deleteKeysWithPrefix(cleaner, prefix);
        } finally {
          await close(cleaner);
          await close(redis);
        }
      })();
      return cleaning;
    },
  };
}

/** What Redis still holds undelivered for a stream: backlog bytes, open batches, pending records. */
export async function undelivered(
  redis: Redis,
  prefix: string,
  stream: string,
): Promise<{ backlogBytes: number; openBatches: number; pendingRecords: number }> {
  const base = `${prefix}:{${stream}}`;
  const [backlog, pending] = await redis.hmget(`${base}:meta`, 'backlogBytes', 'pendingRecords');
  return {
    backlogBytes: Number(backlog ?? 0),
    pendingRecords: Number(pending ?? 0),
    openBatches: await redis.zcard(`${base}:open`),
  };
}
