-- String building with .., string.format, table.concat, sub, byte.
local parts = {}
for i = 1, 100000 do
  parts[#parts + 1] = string.format("%d:%s:%5.2f", i, "item", i / 7)
end
local s = table.concat(parts, ",")
local acc = ""
for i = 1, 20000 do
  acc = acc .. string.char(65 + i % 26)
end
local count = 0
for i = 1, #acc, 3 do
  if acc:sub(i, i + 1) == "AB" then count = count + 1 end
  count = count + acc:byte(i) % 2
end
local up = 0
for i = 1, 20000 do
  local t = ("key" .. i):upper() .. tostring(i * 2)
  up = up + #t
end
print(#s, #acc, count, up)
