local function f(...) return select("#", ...), ... end
print(f())
print(f(nil, nil))
print(f(1, nil, 3))
print((f(1, 2, 3)))
local function g(a, b, ...) local t = {...} return a, b, #t end
print(g(1))
print(g(1, 2, 3, 4, 5))
local function multi() return 1, 2, 3 end
print(multi(), multi())
print(({multi(), multi()})[4], #{multi(), multi()})
local t = {multi()}
print(#t)
print(select(-1, multi()))
print(select(2, multi()))
local function counter()
  local n = 0
  return function() n = n + 1 return n end
end
local c1, c2 = counter(), counter()
print(c1(), c1(), c2(), c1())
local fns = {}
for i = 1, 3 do fns[i] = function() return i end end
print(fns[1](), fns[2](), fns[3]())
local fs2 = {}
local j = 1
while j <= 3 do local k = j; fs2[j] = function() return k end; j = j + 1 end
print(fs2[1](), fs2[3]())
local function loop(n) if n == 0 then return "done" end return loop(n - 1) end
print(loop(100000))
local function sum(n, acc) if n == 0 then return acc end return sum(n - 1, acc + n) end
print(sum(50000, 0))
local obj = {value = 5}
function obj:get() return self.value end
function obj.static(x) return x * 2 end
print(obj:get(), obj.static(4), obj.get(obj))
local a = {b = {}}
function a.b.c(x) return x + 1 end
print(a.b.c(1))
print(string.format("%d", 3), ("%d"):format(4))
local function varargs(...)
  local a, b = ...
  return ...
end
print(varargs(1, 2, 3))
print((varargs(1, 2, 3)))
local function noret() end
print(noret(), select("#", noret()), select("#", (noret())))
print(type(print), type(nil), type({}), type("x"), type(2), type(true), type(coroutine.create(function() end)))
local up = 1
local function setup() up = up + 1 end
setup(); setup()
print(up)
local rec
rec = function(n) if n <= 1 then return 1 end return n * rec(n - 1) end
print(rec(10), rec(20))
