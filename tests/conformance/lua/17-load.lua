-- conformance:
-- load of chunks (strings, functions, env tables, syntax errors), string.dump round trip, require of a local module
local f = load("return 1 + 2")
print(f())
local env = { x = 10, y = 32 }
print(load("return x + y", "chunk", "t", env)())
print(load("z = 5; return z", "=named", "t", env)(), env.z, rawget(_G, "z"))
local pieces = { "return ", "'assembled", " from pieces'" }
local i = 0
print(load(function() i = i + 1; return pieces[i] end)())
local fn, err = load("return +", "=bad")
print(fn, err)
print(load("syntax error here", "=oops"))
local adder = load("local a, b = ...; return a + b")
print(adder(20, 22))
local dumped = string.dump(function(n) local s = 0 for k = 1, n do s = s + k end return s end)
print(type(dumped), load(dumped, "bin", "b")(100))
print(load(dumped, "bin", "t"))
local gen = {}
for k = 1, 10 do gen[k] = string.format("local v%d = %d", k, k * k) end
gen[#gen + 1] = "return v1 + v5 + v10"
print(load(table.concat(gen, "\n"))())
print(pcall(load("error('runtime in chunk', 0)")))
local sandbox = setmetatable({}, { __index = { print = print, tostring = tostring } })
load("print('in sandbox, math is', tostring(math))", "sb", "t", sandbox)()
local f2 = io.open("mymod.lua", "w")
f2:write("local M = {}\nfunction M.greet(n) return 'hello ' .. n end\nM.loaded_as = ...\nreturn M\n")
f2:close()
package.path = "./?.lua"
local m = require("mymod")
print(m.greet("module"), m.loaded_as, require("mymod") == m, package.loaded.mymod == m)
local chunk = loadfile("mymod.lua")
print(type(chunk), chunk("direct").loaded_as)
print(dofile("mymod.lua").greet("dofile"))
os.remove("mymod.lua")
