-- Coroutines: nested functions, varargs, tail calls, errors with positions, generators.
local function gen(n)
  return coroutine.wrap(function(...)
    local extra = select("#", ...)
    local function emit(i) coroutine.yield(i, extra) end
    for i = 1, n do emit(i) end
    return "done"
  end)
end
local g = gen(3)
print(g("a", "b"))
print(g())
print(g())
print(g())
print(pcall(g))
local function walk(t)
  for _, v in ipairs(t) do
    if type(v) == "table" then walk(v) else coroutine.yield(v) end
  end
end
local flat = {}
for v in coroutine.wrap(function() walk({1, {2, {3, 4}}, 5}) end) do flat[#flat + 1] = v end
print(table.concat(flat, " "))
local co = coroutine.create(function(a)
  local b = coroutine.yield(a * 2)
  local t = setmetatable({}, {__index = function(_, k) return k .. b end})
  local c = coroutine.yield(t.x)
  local function tailer(n) if n == 0 then return coroutine.yield("tail") end return tailer(n - 1) end
  local d = tailer(5)
  error("boom " .. tostring(d))
end)
print(coroutine.resume(co, 21))
print(coroutine.resume(co, "!"))
print(coroutine.resume(co, "c"))
print(coroutine.resume(co, "d"))
print(coroutine.status(co), coroutine.resume(co))
local acc = {}
local workers = {}
for w = 1, 3 do
  workers[w] = coroutine.create(function()
    for step = 1, 3 do acc[#acc + 1] = w .. ":" .. step; coroutine.yield() end
  end)
end
for round = 1, 4 do
  for w = 1, 3 do
    if coroutine.status(workers[w]) == "suspended" then coroutine.resume(workers[w]) end
  end
end
print(table.concat(acc, " "))
print(coroutine.resume(coroutine.create(function(...) return ... end), 1, nil, 3))
local obj = {v = 5}
function obj:run() coroutine.yield(self.v) return self.v * 2 end
local oc = coroutine.wrap(function() return obj:run() end)
print(oc(), oc())
local status_in
local outer = coroutine.create(function()
  local inner = coroutine.create(function() status_in = coroutine.status(outer) end)
  coroutine.resume(inner)
end)
coroutine.resume(outer)
print(status_in, coroutine.status(outer))
print(pcall(function() return coroutine.resume(1) end))
print(pcall(function() return coroutine.status({}) end))
print(select("#", coroutine.running()))
