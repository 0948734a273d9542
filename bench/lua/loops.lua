-- Numeric loops with arithmetic on locals.
local sum, x = 0, 1.5
for i = 1, 5000000 do
  sum = sum + (i * 3) % 7 - i / 4
  x = x * 1.0000001 + 0.5
  if sum > 1e12 then sum = 0 end
end
local n, k = 0, 0
while n < 2000000 do
  n = n + 1
  if n % 3 == 0 then k = k + 2 elseif n % 5 == 0 then k = k - 1 end
end
print(string.format("%.3f %.3f %d", sum, x, k))
