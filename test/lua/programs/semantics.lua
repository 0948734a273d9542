-- Trickier corners: evaluation order, closures, varargs, long strings, comments, coercions.
local i = 1
local a = {}
i, a[i] = i + 1, 20
print(i, a[1], a[2])
local x, y, z = (function() return 1, 2, 3 end)()
print(x, y, z)
local t = {(function() return 1, 2, 3 end)(), (function() return 4, 5 end)()}
print(#t, t[1], t[2], t[3])
local function va(...)
  local n = select("#", ...)
  local s = {...}
  return n, #s, (...)
end
print(va(nil, 2, nil))
print(pcall(function() return select(-5, 1, 2) end))
print(select(-2, "a", "b", "c"))
local fs = {}
for k = 1, 5 do
  if k > 3 then break end
  fs[#fs + 1] = function() return k end
end
print(#fs, fs[1](), fs[3]())
local up
do
  local hidden = 10
  up = function(d) hidden = hidden + d return hidden end
end
print(up(1), up(2))
print([==[
first newline skipped]==], [[a]] .. [=[b]=], #[[
]])
--[==[ long
comment ]==] print("after long comment")
--[[ x ]] print("after short long comment")
print(0x7fffffff, 0xffffffff, 1e-310 > 0, 2^1024, -2^1024)
print(10 == "10", "abc" < "abd", "Z" < "a", "" == "")
print(("%d items"):format(3), #("x"):rep(10), ("abc"):len())
local s = "x"
print(s:upper():lower():rep(2))
-- Bytes past ASCII keep their case (the C locale), ASCII letters around them change.
print(("\195\169a\255Z\223b"):upper(), ("\195\137A\192z\222B"):lower(), ("MiXeD 9"):upper())
local obj = {n = 0}
function obj:inc(k) self.n = self.n + (k or 1) return self end
print(obj:inc():inc(5):inc().n)
print(type(nil), type(type), (type(1)))
local r = {}
for k, v in pairs({10, 20, 30}) do r[#r + 1] = k .. "=" .. v end
print(table.concat(r, " "))
local cnt = 0
for _ in pairs({a = 1, b = 2, c = 3, 1, 2}) do cnt = cnt + 1 end
print(cnt)
local nested = {{1, 2}, {3, {4, 5}}}
print(nested[2][2][2], #nested[2][2])
local big = {}
for k = 1, 1000 do big[k] = k end
for k = 1, 1000, 2 do big[k] = nil end
local left = 0
for _, v in pairs(big) do left = left + 1 end
print(left)
local mixed = {1, 2, 3, x = 1, y = 2}
mixed[4] = 4
print(#mixed, mixed.x)
print(math.max(1.5, -2), math.min(-0.5, 3), math.floor(2^40 + 0.5), math.ceil(1e-9))
print(string.format("%5s|%-5s|%05.1f", 1, 2, 3.14159))
print(tostring(1e300 * 1e10), tostring(-1e300 * 1e10), 2^53 + 1)
print(#"\n\t\\\"\'\a\b\f\v\r", "\104\101\108\108\111")
print(1 < 2 == true, not (1 > 2), 2 ^ -1, -3 % 5, -3.5 % 2, 3 % -2)
while true do
  local q = 1
  if q then break end
end
repeat
  local done = true
until done
print("loops ok")
local function tail(n, acc) if n == 0 then return acc end return tail(n - 1, acc .. "") end
print(tail(200, "ok"))
local function ret3() return 1, 2, 3 end
local p, q = ret3(), 10
print(p, q)
print((ret3()))
print(ret3(), "end")
print(string.rep("=", 3) .. ">" .. 1 + 2 .. "<")
print(2 .. "")
local meta = setmetatable({}, {__index = function(_, k) return k .. "!" end})
print(meta.hello, meta[1], rawget(meta, "hello"))
print(next({}, nil), #"", select("#", nil))
print(string.byte("A"), ("A"):byte() + 1, string.char())
print(tostring(true):upper(), tostring(12):len())
print(table.concat({1, 2.5, "x"}, ", "))
print(pcall(table.sort, {3, 1, "x"}))
print(pcall(table.sort, {1, 2, 3}, function(a, b) return true end))
local sorted = {5, 3, 5, 1, 5, 2}
table.sort(sorted, function(a, b) return a < b end)
print(table.concat(sorted, ","))
print(unpack({1, nil, 3}, 1, 3))
print(math.fmod(5.5, 2), math.fmod(-5.5, 2), math.abs(-2^63))
print(8 % 0, -8 % 0, 0 % 0 ~= 0 % 0)
function f(...) return arg and arg.n, arg and arg[2] end print(f(1,2)) function g(...) local x = ... return arg end print(g(1)) arg = 'global' function h(a, ...) return arg end print(type(h(1, 2))) print(arg)
