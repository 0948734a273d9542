-- Table insert, sort with and without a comparator, array and hash access.
local seed = 12345.0
local function rand()
  seed = (seed * 16807) % 2147483647
  return seed
end
local t = {}
for i = 1, 100000 do table.insert(t, rand() % 100000) end
table.sort(t)
local u = {}
for i = 1, 50000 do u[#u + 1] = rand() % 1000 end
table.sort(u, function(a, b) return a > b end)
local h = {}
for i = 1, 100000 do h["k" .. (i % 5000)] = (h["k" .. (i % 5000)] or 0.0) + i end
local total = 0.0
for k, v in pairs(h) do total = total + v end
for i = 1, #t, 100 do total = total + t[i] end
for i = 1, 20000 do table.remove(u) end
print(string.format("%d %d %d %d %.0f", t[1], t[#t], u[1], #u, total))
