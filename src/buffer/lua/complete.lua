-- Marks a batch delivered, releases its bytes from the backlog and trims the stream up to the
-- oldest record still needed (the start of the oldest open batch, else the first pending record).
-- KEYS[1] records stream, KEYS[2] meta hash, KEYS[3] batches hash, KEYS[4] open zset,
-- KEYS[5] the batch's set of written object keys (deleted: the batch is done)
-- ARGV[1] batch sequence
-- Returns 1 when the batch was completed now, 0 when it was already complete.
local descriptor = redis.call('HGET', KEYS[3], ARGV[1])
if not descriptor then
  return 0
end
local bytes = tonumber(string.match(descriptor, '^%S+ %S+ %S+ (%d+)'))
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('DEL', KEYS[5])
redis.call('HINCRBY', KEYS[2], 'backlogBytes', -bytes)

local minId
local oldest = redis.call('ZRANGE', KEYS[4], 0, 0)
if oldest[1] then
  minId = string.match(redis.call('HGET', KEYS[3], oldest[1]), '^(%S+)')
else
  minId = redis.call('HGET', KEYS[2], 'pendingFirst')
  if not minId then
    -- Nothing open and nothing pending: everything up to the cursor is delivered.
    local cursor = redis.call('HGET', KEYS[2], 'cursor')
    local ms, sq = string.match(cursor, '^(%d+)-(%d+)$')
    minId = ms .. '-' .. (tonumber(sq) + 1)
  end
end
redis.call('XTRIM', KEYS[1], 'MINID', minId)
return 1
