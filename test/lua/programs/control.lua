local out = {}
for i = 1, 3 do for j = 1, 3 do if j == 2 then break end out[#out + 1] = i .. j end end
print(table.concat(out, " "))
local i = 0
repeat local k = i; i = i + 1 until k >= 3
print(i)
i = 10
while i > 0 do i = i - 3 if i < 4 then break end end
print(i)
for x = 10, 1, -3 do io.write(x, " ") end print()
for x = 1, 0 do print("never") end
for x = 1.5, 3 do io.write(x, " ") end print()
for x = 0, 1, 0.25 do io.write(x, " ") end print()
for x = 5, 5 do io.write(x, " ") end print()
local function classify(n)
  if n < 0 then return "neg" elseif n == 0 then return "zero" elseif n < 10 then return "small" else return "big" end
end
print(classify(-1), classify(0), classify(5), classify(50))
do local shadow = 1; do local shadow = 2; print(shadow) end; print(shadow) end
local v = 1
local v = v + 1
print(v)
local t = {}
for k = 1, 5 do t[k] = function() return k end end
print(t[1](), t[5]())
local acc = {}
for _, w in ipairs({"a", "b", "c"}) do acc[#acc + 1] = function() return w end end
print(acc[1](), acc[3]())
local n = 0
for k, v in next, {1, 2, 3} do n = n + v end
print(n)
local function iter(s, c) if c < s then return c + 1, c * 2 end end
for a, b in iter, 3, 0 do io.write(a, ":", b, " ") end print()
local x = 0
while true do x = x + 1 if x > 100 then break end end
print(x)
goto_label = 1
print(goto_label)
local function early(n) for i = 1, 10 do if i == n then return i * 10 end end return -1 end
print(early(3), early(20))
local s = 0
for i = 10, 1, -1 do s = s + i end
print(s)
local a = {n = 0}
function a.inc() a.n = a.n + 1 return a end
a.inc().inc().inc()
print(a.n)
print(((("nested"))))
local f = function(...) return ... end
print(f(1, 2), (f(1, 2)))
local cond = nil
print(cond and cond.x or "default")
print(1 == 1 and "yes" or "no", false and 1 or 2)
local t2 = {f = function(self, x) return self.v + x end, v = 10}
print(t2:f(5), t2.f(t2, 6))
print(#{...}, select("#", ...))
