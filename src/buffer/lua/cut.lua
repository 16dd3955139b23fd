-- Shared by append.lua and cut_due.lua (prepended to both when loaded; see scripts.ts).
-- Registers everything ingested since the cursor as one batch and advances the cursor,
-- in the same atomic script that decided to cut, so no two batches ever overlap.
-- Batch descriptor: "<firstId> <lastId> <records> <bytes> <cutAtMs> <trigger>".
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function cut(metaKey, batchesKey, openKey, trigger)
  local m = redis.call('HMGET', metaKey, 'pendingFirst', 'lastId', 'pendingRecords', 'pendingBytes')
  if not m[1] then
    return 0
  end
  local seq = redis.call('HINCRBY', metaKey, 'seq', 1)
  local descriptor = m[1] .. ' ' .. m[2] .. ' ' .. m[3] .. ' ' .. m[4] .. ' ' .. nowMs() .. ' ' .. trigger
  redis.call('HSET', batchesKey, seq, descriptor)
  redis.call('ZADD', openKey, seq, seq)
  redis.call('HSET', metaKey, 'cursor', m[2], 'pendingRecords', 0, 'pendingBytes', 0)
  redis.call('HDEL', metaKey, 'pendingFirst')
  return seq
end
