-- conformance:
-- patterns: match, gmatch, gsub with strings/tables/functions, captures, anchors, %b, %f
local text = "The year 1999 ended; 2000 began. Call 555-1234 or 555-9876!"
for num in text:gmatch("%d+") do io.write(num, " ") end
print()
print(text:match("(%d+)-(%d+)"))
print(text:match("()began()"))
print(text:gsub("%d", "#"))
print(text:gsub("(%w+)", "<%1>", 3))
print(("hello world"):gsub("o", { o = "0" }))
print(("$name is $age"):gsub("%$(%w+)", { name = "Ann", age = 30 }))
print(("abc"):gsub("", "-"))
print(("one two  three"):gsub("%s+", function(s) return "[" .. #s .. "]" end))
print(("f(a(b)c) g(d)"):match("%b()"), ("THE (quick) fox"):find("%f[%a]%a+", 5))
print(("key = value"):match("^(%w+)%s*=%s*(%w+)$"))
print(("  x"):match("^%s*$"), ("   "):match("^%s*$") == "   ")
print(("2024-03-15"):match("(%d%d%d%d)-(%d%d)-(%d%d)"))
print(("a,b,,c"):gsub(",", ";"), ("a.b.c"):gsub("%.", "/"))
local words = {}
for k, v in ("a=1, b=22, ccc=333"):gmatch("(%w+)=(%w+)") do words[#words + 1] = k .. ":" .. v end
print(table.concat(words, " "))
print(("CamelCaseString"):gsub("(%u)", function(c) return "_" .. c:lower() end))
print(("x"):rep(5):gsub("x", "%%"), ("%d"):gsub("%%", "%%%%"))
print(pcall(string.gsub, "x", "(", ""))
print(("hello"):find("l+"), ("hello"):match(".-(l+)(.*)"), ("[test]"):match("%[(.*)%]"))
print(("äöü"):len(), ("abc123def"):match("%a+", 4), ("  -12.5e3xyz"):match("^%s*([%+%-]?%d+%.?%d*[eE]?[%+%-]?%d*)"))
