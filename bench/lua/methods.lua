-- Method calls through metatables (__index chains), closures and upvalues.
local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({x = x, y = y}, Point) end
function Point:add(o) return Point.new(self.x + o.x, self.y + o.y) end
function Point:len2() return self.x * self.x + self.y * self.y end
local Point3 = setmetatable({}, {__index = Point})
Point3.__index = Point3
function Point3.new(x, y, z) local p = Point.new(x, y); p.z = z; return setmetatable(p, Point3) end
function Point3:len2() return Point.len2(self) + self.z * self.z end
local acc = Point.new(0, 0)
local total = 0
for i = 1, 300000 do
  acc = acc:add(Point.new(1, 2))
  local p = Point3.new(i % 10, 1, 2)
  total = total + p:len2() + p:add(acc).x % 3
end
local function counter()
  local c = 0
  return function(d) c = c + d return c end
end
local counters = {}
for i = 1, 100 do counters[i] = counter() end
local s = 0
for r = 1, 5000 do
  for i = 1, 100 do s = s + counters[i](i % 3) end
end
print(acc.x, acc.y, total, s)
