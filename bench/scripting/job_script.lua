--[[
  A job-queue script shaped like BullMQ's addStandardJob / moveToActive (written for this
  benchmark, not copied): local helpers, cjson and cmsgpack, about a dozen commands on a
  hash, lists, a sorted set and counters, bounded so that a long run keeps memory flat.

    KEYS[1] wait list   KEYS[2] prioritized zset   KEYS[3] meta hash   KEYS[4] id counter
    KEYS[5] job key prefix   KEYS[6] paused flag
    ARGV[1] job name   ARGV[2] job data (JSON)   ARGV[3] timestamp
]]
local rcall = redis.call

local function getOrSetMaxEvents(metaKey)
  local maxEvents = rcall("HGET", metaKey, "opts.maxLenEvents")
  if not maxEvents then
    maxEvents = 10000
    rcall("HSET", metaKey, "opts.maxLenEvents", maxEvents)
  end
  return tonumber(maxEvents)
end

local function isQueuePaused(metaKey, pausedKey)
  return rcall("HEXISTS", metaKey, "paused") == 1 or rcall("EXISTS", pausedKey) == 1
end

local function addJobWithPriority(prioritizedKey, priority, jobId, counter)
  local score = priority * 0x100000000 + counter % 0x100000000
  rcall("ZADD", prioritizedKey, score, jobId)
  if rcall("ZCARD", prioritizedKey) > 1000 then
    rcall("ZREMRANGEBYRANK", prioritizedKey, 0, 0)
  end
end

local function storeJob(jobKey, jobId, name, data, opts, timestamp)
  local jsonOpts = cjson.encode(opts)
  rcall("HSET", jobKey, "name", name, "data", data, "opts", jsonOpts,
    "timestamp", timestamp, "delay", opts.delay or 0, "priority", opts.priority or 0)
  return jsonOpts
end

local maxEvents = getOrSetMaxEvents(KEYS[3])
local counter = rcall("INCR", KEYS[4])
local jobId = tostring(counter % 1000)
local jobKey = KEYS[5] .. jobId
local data = cjson.decode(ARGV[2])
local opts = { attempts = 3, delay = 0, priority = (counter % 3), backoff = { type = "fixed", delay = 1000 } }
data.seen = (data.seen or 0) + 1
local packed = cmsgpack.pack(opts)
local unpacked = cmsgpack.unpack(packed)
storeJob(jobKey, jobId, ARGV[1], cjson.encode(data), unpacked, ARGV[3])

if unpacked.priority == 0 then
  local target = isQueuePaused(KEYS[3], KEYS[6]) and KEYS[6] or KEYS[1]
  rcall("LPUSH", target, jobId)
  rcall("LTRIM", target, 0, 999)
else
  addJobWithPriority(KEYS[2], unpacked.priority, jobId, counter)
end

rcall("HINCRBY", KEYS[3], "added", 1)
local parts = {}
for word in string.gmatch(ARGV[1], "[^:]+") do parts[#parts + 1] = string.upper(word) end
if #parts > maxEvents then return redis.error_reply("ERR too many parts") end
return jobId
