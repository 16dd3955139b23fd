-- Appends one ingest request (records already packed) to the stream, unless the backlog is full.
-- KEYS[1] records stream, KEYS[2] meta hash, KEYS[3] batches hash, KEYS[4] open zset
-- ARGV[1] packed payload, ARGV[2] record count, ARGV[3] record bytes (sum of record lengths),
-- ARGV[4] max backlog bytes, ARGV[5] batch size bytes (the size trigger)
-- Returns { entryId, batchSeq } on success (batchSeq 0 when no batch was cut), or
-- { '', backlogBytes } when refused because the backlog would exceed its limit.
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
local seq = 0
if pending >= tonumber(ARGV[5]) then
  seq = cut(KEYS[2], KEYS[3], KEYS[4], 'size')
end
return { id, seq }
