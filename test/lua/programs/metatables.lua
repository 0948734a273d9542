local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
V.__sub = function(a, b) return setmetatable({x = a.x - b.x}, V) end
V.__mul = function(a, b) if type(b) == "number" then return setmetatable({x = a.x * b}, V) end return a.x * b.x end
V.__div = function(a, b) return "div" end
V.__mod = function(a, b) return "mod" end
V.__pow = function(a, b) return "pow" end
V.__unm = function(a) return setmetatable({x = -a.x}, V) end
V.__concat = function(a, b) return "cat:" .. tostring(type(a) == "table" and a.x or a) .. tostring(type(b) == "table" and b.x or b) end
V.__eq = function(a, b) return a.x == b.x end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__tostring = function(v) return "V(" .. v.x .. ")" end
V.__call = function(self, y) return self.x + y end
V.__len = function() return 99 end
function V.new(x) return setmetatable({x = x}, V) end
function V:double() return V.new(self.x * 2) end
local a, b = V.new(1), V.new(2)
print(tostring(a + b), tostring(a - b), a * b, tostring(a * 3), a / b, a % b, a ^ b, tostring(-a))
print(a .. b, a .. "s", "s" .. a, 1 .. a)
print(a == b, a == V.new(1), a ~= V.new(1), a < b, a <= b, a > b, a >= b)
print(a(10), #a, tostring(a:double()))
print(getmetatable(a) == V, getmetatable("x").__index == string)
local log = {}
local proxy = setmetatable({}, {
  __index = function(t, k) log[#log + 1] = "get " .. k; return k .. "!" end,
  __newindex = function(t, k, v) log[#log + 1] = "set " .. k; rawset(t, k, v) end,
})
print(proxy.foo, proxy.bar)
proxy.foo = 1
print(proxy.foo, table.concat(log, ","))
local base = {greet = function() return "hi" end}
local mid = setmetatable({}, {__index = base})
local top = setmetatable({}, {__index = mid})
print(top.greet(), top.missing)
local store = {}
local redirect = setmetatable({}, {__newindex = store})
redirect.x = 5
print(rawget(redirect, "x"), store.x)
local prot = setmetatable({}, {__metatable = "locked"})
print(getmetatable(prot), pcall(setmetatable, prot, {}))
local lt_only = {__lt = function(a, b) return a.v < b.v end}
local p, q = setmetatable({v = 1}, lt_only), setmetatable({v = 2}, lt_only)
print(p < q, p <= q, q <= p)
local eq1 = {__eq = function() return true end}
local eq2 = {__eq = function() return true end}
print(setmetatable({}, eq1) == setmetatable({}, eq1), setmetatable({}, eq1) == setmetatable({}, eq2))
local tlen = setmetatable({1, 2, 3}, {__len = function() return 0 end})
print(#tlen)
print(("abc"):upper(), ("%d-%s"):format(5, "x"), ("x"):rep(3, ","))
local called = setmetatable({}, {__call = function(self, a, b) return a, b end})
print(called(1, 2))
local mtidx = setmetatable({}, {__index = function(t, k) return k * 2 end})
print(mtidx[21])
local G = setmetatable({}, {__index = _G})
print(G.print == print)
local cnt = setmetatable({}, {__index = function(t, k) return 0 end})
cnt.a = cnt.a + 1
print(cnt.a, cnt.b)
print(rawequal(a, V.new(1)), rawget(a, "x"))
local ts = setmetatable({}, {__tostring = function() return "I am ts" end})
print(ts, tostring(ts))
print(pcall(function() return a < 1 end))
print(pcall(function() return {} .. {} end))
