-- conformance:
-- tables: array functions, sort with comparators, sorted key iteration (never pairs order), # operator
local t = {}
for i = 1, 20 do t[i] = (i * 7919) % 101 end
table.sort(t)
print(table.concat(t, " "))
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, " "))
local people = {
  { name = "ann", age = 31 }, { name = "bob", age = 25 }, { name = "cid", age = 31 },
  { name = "dee", age = 19 }, { name = "eve", age = 25 }, { name = "fay", age = 40 },
}
table.sort(people, function(a, b)
  if a.age ~= b.age then return a.age < b.age end
  return a.name > b.name
end)
for _, p in ipairs(people) do io.write(p.name, "=", p.age, " ") end
print()
local words = { "pear", "Apple", "fig", "banana", "apple", "Fig" }
table.sort(words)
print(table.concat(words, ","))
table.sort(words, function(a, b) return a:lower() < b:lower() or (a:lower() == b:lower() and a < b) end)
print(table.concat(words, ","))
table.insert(words, "kiwi")
table.insert(words, 1, "first")
print(table.remove(words), table.remove(words, 1), #words, table.concat(words, ","))
print(table.unpack(table.move({ 1, 2, 3, 4, 5 }, 2, 4, 1)))
local map = { zeta = 1, alpha = 2, mid = 3, [10] = "ten", [2.5] = "x" }
local keys = {}
for k in pairs(map) do keys[#keys + 1] = tostring(k) end
table.sort(keys)
print(table.concat(keys, " "))
local big = {}
for i = 1, 100000 do big[i] = (i * 48271) % 2147483647 end
table.sort(big)
local ok = true
for i = 2, #big do if big[i - 1] > big[i] then ok = false end end
print(#big, ok, big[1], big[50000], big[#big])
print(#{ 1, 2, 3, nil }, #"", select("#", table.unpack({ 1, 2, 3 })))
print(pcall(table.sort, { 3, 1, "x" }))
print(next({}), type(next), rawlen({ 1, 2 }), rawequal(t, t), rawget({ a = 1 }, "a"))
