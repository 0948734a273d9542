-- values, arithmetic, numbers to strings
print(1, -1, 0, 1/0, -1/0, 0.1, 1e15, 1e16, 123456789012345678, 2^53, 2^63, -2^63)
print(7 % 3, -7 % 3, 7 % -3, -7 % -3, 5.5 % 2, 1 % 0, 0/0 ~= 0/0)
print(2^0.5, 10 / 4, 3 * 1.1, 1e308 * 10, -(0/0) ~= -(0/0))
print("10" + 5, "3" * "4", "0x10" + 0, " 2 " * 3, 10 .. 20, 1.5 .. "")
print(math.pi, -math.pi, 100, 1e100, 1.5e-7, 123.456, 2^-1074, 2^1023 * 1.5)
print(#"hello", #"", "a\0b", #"a\0b", "\65\066\x", "\\", "tab\tq")
print([[long
string]], [==[with ]] inside]==], "esc\"aped", 'single\'s')
print(0x10, 0xff, 0XA, 1e2, .5, 5., 3e-2)
print(true, false, nil, not nil, not 0, nil == false)
print(1 < 2, "a" < "b", "a" < "B", "abc" < "abd", "" < "a", 2 <= 2, 3 >= 4)
print(1 == 1.0, "1" == 1, {} == {}, "a" .. "b" == "ab")
print(1 and 2, nil and 1, false or "x", nil or false, 1 or error("no"))
print(-2^2, 2^3^2, 1 .. 2 .. 3, "a" .. "b" .. "c" == "abc", 2 * 3 + 4 * 5, (2 + 3) * 4)
print(not 1 == 2, #"abc" + 1, -"2", - -3)
local a, b, c = 1, 2
print(a, b, c)
local x, y = 1, 2, 3
print(x, y)
a, b = b, a
print(a, b)
print(math.huge, -math.huge, math.floor(-3.5), math.ceil(-3.5), math.abs(-4))
