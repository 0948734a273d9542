local t = {10, 20, 30, nil, 50}
print(#t, t[1], t[5], t[4])
local u = {}
for i = 1, 10 do u[i] = i * i end
print(#u, u[10])
u[10] = nil
print(#u)
u[#u + 1] = "x"
print(#u, u[10])
local h = {x = 1, y = 2, [1] = "one", [2.0] = "two", ["z"] = 3}
print(h.x, h.y, h[1], h[2], h.z, #h)
h[1.5] = "frac"
print(h[1.5], h[3/2])
local keys = {}
for k in pairs({a = 1, b = 2, c = 3, d = 4}) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys, ","))
local n = 0
for i, v in ipairs({1, 2, nil, 4}) do n = n + 1 end
print(n)
print(next({}), type(next), rawget({5}, 1), rawequal(t, t), rawequal(t, {}))
local r = rawset({}, "k", "v")
print(r.k)
print(#{n = 1}, #{1, 2, 3, nil}, #{nil, nil, 3})
local nested = {a = {b = {c = "deep"}}}
print(nested.a.b.c, nested["a"]["b"].c)
t = {}
t[1], t[2], t[3] = "a", "b", "c"
print(table.concat(t), table.concat(t, "-"), table.concat(t, "-", 2), table.concat(t, "-", 2, 3), table.concat({}, "x"))
table.insert(t, "d")
table.insert(t, 1, "z")
print(table.concat(t, ","), table.remove(t), table.remove(t, 1), table.concat(t, ","))
print(table.remove({}), #t, table.getn(t), table.maxn({1, 2, [10] = 3, [20.5] = 4}))
local s = {5, 2, 8, 1, 9, 3, 7, 4, 6, 0}
table.sort(s)
print(table.concat(s, " "))
table.sort(s, function(a, b) return a > b end)
print(table.concat(s, " "))
local words = {"pear", "apple", "fig", "banana", "cherry"}
table.sort(words)
print(table.concat(words, " "))
table.sort(words, function(a, b) return #a < #b end)
print(words[1], words[5])
print(unpack({1, 2, 3}))
print(unpack({1, 2, 3}, 2))
print(unpack({1, 2, 3}, 2, 5))
print(select("#", unpack({}, 1, 3)))
table.foreachi({"a", "b"}, print)
print(pcall(table.insert, {}, 1, 2, 3))
print(pcall(table.setn, {}, 1))
print(pcall(table.concat, {1, {}, 3}))
local big = {}
for i = 1, 100 do big[i] = (i * 37) % 101 end
table.sort(big)
local ok = true
for i = 2, 100 do if big[i - 1] > big[i] then ok = false end end
print(ok, big[1], big[100])
t = {1, 2, 3}
t[2] = nil
print(#t)
t = {n = 0}
t[1] = 1; t[2] = 2; t[3] = 3; t[3] = nil
print(#t)
local k = {}
t = {[k] = "tablekey", [true] = "bool"}
print(t[k], t[true], t[false])
