-- Appends one ingest request (records already packed) to the stream, unless the backlog is full.
-- KEYS[1] records stream, KEYS[2] meta hash, KEYS[3] batches hash, KEYS[4] open zset,
-- KEYS[5] request tokens (current generation), KEYS[6] request tokens (previous generation)
-- ARGV[1] packed payload, ARGV[2] record count, ARGV[3] record bytes (sum of record lengths),
-- ARGV[4] max backlog bytes, ARGV[5] batch size bytes (the size trigger),
-- ARGV[6] request token (unique per ingest request), ARGV[7] tokens per generation
-- Returns { entryId, batchSeq } on success (batchSeq 0 when no batch was cut), or
-- { '', backlogBytes } when refused because the backlog would exceed its limit.
--
-- The token makes the append idempotent: the Redis client re-sends a command whose answer was
-- lost to a broken connection, and the append may already have run. A token seen before
-- answers the entry it made instead of appending again. Tokens are kept in two generations of
-- ARGV[7] each (the current one is renamed over the previous when full), so between ARGV[7]
-- and twice that many of the latest requests are remembered, in bounded memory.
local token = ARGV[6]
local seen = redis.call('HGET', KEYS[5], token) or redis.call('HGET', KEYS[6], token)
if seen then
  return { seen, 0 }
end
local bytes = tonumber(ARGV[3])
local backlog = tonumber(redis.call('HGET', KEYS[2], 'backlogBytes') or '0')
-- An empty backlog always takes one request, so a limit smaller than a request cannot wedge a stream.
if backlog > 0 and backlog + bytes > tonumber(ARGV[4]) then
  return { '', backlog }
end
local id = redis.call('XADD', KEYS[1], '*', 'n', ARGV[2], 'b', ARGV[3], 'd', ARGV[1])
redis.call('HINCRBY', KEYS[2], 'backlogBytes', bytes)
redis.call('HINCRBY', KEYS[2], 'pendingRecords', tonumber(ARGV[2]))
local pending = redis.call('HINCRBY', KEYS[2], 'pendingBytes', bytes)
redis.call('HSETNX', KEYS[2], 'pendingFirst', id)
redis.call('HSET', KEYS[2], 'lastId', id)
if redis.call('HSET', KEYS[5], token, id) == 1 and redis.call('HLEN', KEYS[5]) >= tonumber(ARGV[7]) then
  redis.call('RENAME', KEYS[5], KEYS[6])
end
local seq = 0
if pending >= tonumber(ARGV[5]) then
  seq = cut(KEYS[2], KEYS[3], KEYS[4], 'size')
end
return { id, seq }
