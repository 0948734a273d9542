x = "global x"
local function show() return x end
print(show())
local x = "local x"
print(show(), x)
function globalfn() return "gf" end
print(globalfn(), _G.globalfn(), _G["x"])
_G.newglobal = 5
print(newglobal)
setglobal = nil
print(rawget(_G, "setglobal"))
local env = {print = print}
local fn = loadstring("y = 10; print(y)")
setfenv(fn, env)
fn()
print(env.y, y)
print(getfenv(fn) == env, getfenv(print) == _G, getfenv() == _G)
local a = {}
do
  local a = 5
  a = a + 1
  print(a)
end
print(type(a))
local function outer()
  local v = 1
  local function mid()
    local function inner() v = v + 1 return v end
    return inner
  end
  return mid(), function() return v end
end
local inc, get = outer()
inc(); inc()
print(get())
local shared = {}
for i = 1, 3 do
  local captured = i * 10
  shared[i] = {get = function() return captured end, set = function(v) captured = v end}
end
shared[2].set(99)
print(shared[1].get(), shared[2].get(), shared[3].get())
local t = setmetatable({}, {__index = _G})
print(t.print == print, _VERSION)
print(select("#", nil, nil), select("#"))
local function deep(n) if n > 0 then return deep(n - 1) + 1 end return 0 end
print(deep(150))
print(collectgarbage("count") ~= nil, collectgarbage(), collectgarbage("step"))
