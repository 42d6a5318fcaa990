-- conformance:
-- pcall/xpcall/error with strings, tables and levels; error objects; assert; tracebacks are not printed
local ok, e = pcall(error, "plain")
print(ok, e)
ok, e = pcall(function() error("with position") end)
print(ok, (e:gsub("^[^:]+:%d+: ", "POS: ")))
ok, e = pcall(function() error("no position", 0) end)
print(ok, e)
ok, e = pcall(function() error({ code = 404, msg = "not found" }) end)
print(ok, type(e), e.code, e.msg)
local E = setmetatable({}, { __tostring = function(s) return "E(" .. s.why .. ")" end })
E.__index = E
ok, e = pcall(function() error(setmetatable({ why = "custom" }, getmetatable(E))) end)
print(ok, tostring(e))
print(pcall(function() local x = nil; return x.field end) == false)
print(select(2, pcall(function() return 1 + {} end)):match("arithmetic") ~= nil)
print(select(2, pcall(function() return #5 end)):match("length") ~= nil)
print(pcall(function(...) return ... end, 1, 2, 3))
print(xpcall(function() error("boom", 0) end, function(m) return "handled: " .. m end))
print(xpcall(function(a, b) return a + b end, print, 3, 4))
ok, e = pcall(assert, false, "assert message")
print(ok, e)
ok, e = pcall(assert, nil)
print(ok, e)
print(pcall(assert, 1, 2, 3))
local function level2() error("from level2", 2) end
local function caller() level2() end
ok, e = pcall(caller)
print(ok, (e:gsub("^[^:]+:(%d+): ", "line?: ")))
local depth = 0
local function rec() depth = depth + 1; return 1 + rec() end
ok, e = pcall(rec)
print("stack overflow caught:", ok, depth > 1000, tostring(e):match("stack overflow") ~= nil)
print(pcall(error))
print(pcall(error, nil))
ok, e = pcall(function() error(42) end)
print(ok, e, math.type(e))
local results = {}
for i = 1, 5 do
  local okk, v = pcall(function() if i % 2 == 0 then error({ i = i }) end return i * 10 end)
  results[#results + 1] = okk and tostring(v) or ("err" .. v.i)
end
print(table.concat(results, " "))
print(string.format("%s", select(2, pcall(string.rep))):match("bad argument") ~= nil)
