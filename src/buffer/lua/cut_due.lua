-- Cuts the pending records into a batch when the oldest of them has waited the buffer interval.
-- KEYS[1] records stream (unused, declared for cluster slot checks), KEYS[2] meta hash,
-- KEYS[3] batches hash, KEYS[4] open zset
-- ARGV[1] buffer interval in milliseconds
-- Returns { batchSeq, waitMs }: batchSeq 0 when nothing was cut; waitMs is how long until the
-- pending records become due (-1 when nothing is pending).
local first = redis.call('HGET', KEYS[2], 'pendingFirst')
if not first then
  return { 0, -1 }
end
local firstMs = tonumber(string.match(first, '^(%d+)'))
local due = firstMs + tonumber(ARGV[1]) - nowMs()
if due > 0 then
  return { 0, due }
end
return { cut(KEYS[2], KEYS[3], KEYS[4], 'time'), -1 }
