-- conformance:
-- string library basics: sub, byte/char, rep, reverse, upper/lower, find (plain), len, comparisons
local s = "Hello, Lua World!"
print(#s, s:len(), s:upper(), s:lower(), s:reverse())
print(s:sub(1, 5), s:sub(-6), s:sub(-6, -2), s:sub(0), s:sub(100), ("[" .. s:sub(5, 4) .. "]"))
print(s:byte(1), s:byte(-1), s:byte(1, 3))
print(string.char(72, 105, 33), ("ab"):rep(3), ("ab"):rep(3, "-"), ("x"):rep(0))
print(s:find("Lua"), s:find("o", 6), s:find("xyz"), s:find(".", 1, true), s:find(""))
print("a" < "b", "abc" < "abd", "Z" < "a", "" < "a", "abc" == "abc", "10" < "9")
print(tostring(12), tostring(1.5), tostring(-0.0), tostring(1e100), tostring(2^63), 10 // 3, 7 / 2)
print(("%d items"):format(3), #"\0abc", ("a\0b"):byte(2), "\65\066\x43\u{48}")
local parts = {}
for i = 1, 10 do parts[#parts + 1] = tostring(i * i) end
print(table.concat(parts, ","), table.concat(parts, "", 3, 5), table.concat({}))
print(("  trim me  "):match("^%s*(.-)%s*$") .. "|")
print(string.format("%q", 'a "quoted"\n\tstring\0end'))
print(tonumber("0x10"), tonumber("  12  "), tonumber("1e2"), tonumber("z", 36), tonumber("10", 2), tonumber("abc"), tonumber("5."))
print(math.type(tonumber("3")), math.type(tonumber("3.0")), "10" + 5, "3" * "4", 10 .. 20)
