-- Pattern matching: find, match, gmatch, gsub over generated text.
local words = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"}
local lines = {}
for i = 1, 20000 do
  lines[i] = words[i % 8 + 1] .. " " .. i .. " key=" .. words[(i * 3) % 8 + 1] .. "; value=" .. (i * 7) .. ";"
end
local text = table.concat(lines, "\n")
local n = 0
for w in text:gmatch("%a+") do n = n + #w end
local keys = 0
for k, v in text:gmatch("(%w+)=(%w+)") do keys = keys + #k + #v end
local replaced, count = text:gsub("%d+", function(d) return tostring(#d) end)
local _, vowels = text:gsub("[aeiou]", "")
local found = 0
for i = 1, 20000 do
  local line = lines[i % 20000 + 1]
  if line:find("value=%d+") then found = found + 1 end
  local a, b = line:match("^(%a+) (%d+)")
  if a and tonumber(b) then found = found + 1 end
end
print(n, keys, #replaced, count, vowels, found)
