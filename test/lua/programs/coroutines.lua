local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got2", d, e)
  return "end", 99
end)
print(coroutine.status(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, "x", "y"))
print(coroutine.status(co))
print(coroutine.resume(co))
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
print(gen(), gen(), gen())
local function range(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i, i * i) end end)
end
for i, sq in range(4) do io.write(i, "=", sq, " ") end print()
local errco = coroutine.create(function() error("inside co") end)
print(coroutine.resume(errco))
print(coroutine.status(errco))
local tco = coroutine.create(function() error({msg = "tbl"}) end)
local ok, e = coroutine.resume(tco)
print(ok, type(e), e.msg)
print(coroutine.running())
local function producer()
  return coroutine.create(function()
    for _, v in ipairs({"a", "b", "c"}) do coroutine.yield(v) end
    return nil
  end)
end
local p = producer()
local items = {}
while true do
  local _, v = coroutine.resume(p)
  if v == nil then break end
  items[#items + 1] = v
end
print(table.concat(items))
print(pcall(coroutine.yield, 1))
local wrapped = coroutine.wrap(function() error("wrap err") end)
print(pcall(wrapped))
local nested = coroutine.wrap(function()
  local inner2 = coroutine.wrap(function() coroutine.yield(1) coroutine.yield(2) end)
  coroutine.yield(inner2() + inner2())
end)
print(nested())
local deadco = coroutine.create(function() end)
coroutine.resume(deadco)
print(coroutine.resume(deadco))
local self_co
self_co = coroutine.create(function() return coroutine.resume(self_co) end)
print(coroutine.resume(self_co))
local function fib_gen()
  local a, b = 0, 1
  return coroutine.wrap(function() while true do coroutine.yield(a) a, b = b, a + b end end)
end
local fg = fib_gen()
for i = 1, 10 do io.write(fg(), " ") end print()
local mt_co = coroutine.create(function(...) return select("#", ...), ... end)
print(coroutine.resume(mt_co, nil, nil))
