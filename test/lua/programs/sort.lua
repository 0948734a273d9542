-- table.sort with valid, invalid and random comparators: results, errors and the
-- out-of-bounds writes of 5.1's quicksort must match C Lua.
local function join(t, n) local s = {} for i = 1, n + 2 do s[i] = tostring(t[i]) end return table.concat(s, ",") end
math.randomseed(3)
local cmps = {
  function(a, b) return a <= b end,
  function(a, b) return true end,
  function(a, b) return false end,
  function(a, b) return math.random() < 0.5 end,
  function(a, b) return a > b end,
}
for n = 1, 40 do
  for c = 1, #cmps do
    local t = {}
    for i = 1, n do t[i] = math.random(1, 20) end
    local ok, err = pcall(table.sort, t, cmps[c])
    io.write(n, " ", c, " ", tostring(ok), " ", tostring(err), " ", join(t, n), "\n")
  end
end
