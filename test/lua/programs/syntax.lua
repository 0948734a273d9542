local cases = {
  "x = ", "x = = 1", "local 1 = 2", "if x then", "for i = 1 do end", "f(", "x = 'unclosed",
  "x = [[unclosed", "return return", "x = 1 +", "local t = {1, 2", "a.b:c = 1", "x", "1 = 2",
  "function f( end", "x = 3x", "x = 0x", "while true do", "repeat until", "local function end",
  "x = \"bad\\400escape\"", "break", "return 1 print(2)", "f() = 1", "x = }", "--[[ unclosed comment",
  "x = 1\ny = = 2", "local x <const> = 1", "goto label", "x = ...", "function f() return ... end",
  "for a.b = 1, 2 do end", "x = @", "x = 'a\nb'", "if x then else elseif y then end",
  "local function f()\n\nend end", "x = [==[ ]=]", "t = {[1] 2}", "print('a' 'b')",
  "a, b.c, d[1] = 1", "f\n(1)", "local a = {} a:b", "x = 1e", "x = .", "x = ~1", "x = 1 ~ 2",
  "x = #", "return (1", "do end end", "elseif", "x = function() end()",
  "local t = {} t.1 = 2", "(f)", "\"str\"", "x = y z = 1",
}
for i, src in ipairs(cases) do
  local f, err = loadstring(src)
  print(i, f and "ok" or err)
end
print(loadstring("x =", "=custom"))
print(loadstring("x =", "@file.lua"))
print(loadstring("line1\nline2 = = 3"))
print(loadstring(string.rep("x", 100) .. " = = 1"))
local f = loadstring("return 1 + 1")
print(f())
local g = loadstring("local a, b = ... return b, a")
print(g(1, 2))
local parts = {"return ", "'from ", "reader'"}
local i = 0
local h = load(function() i = i + 1 return parts[i] end)
print(h())
print(pcall(loadstring("error('in loaded')")))
print(pcall(loadstring("error('named')", "=mychunk")))
print(pcall(loadstring("local x = nil; return x.y", "@some/file.lua")))
print(loadstring("#!shebang\nreturn 1"))
