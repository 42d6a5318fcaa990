-- conformance:
-- integer/float arithmetic: subtypes, overflow wrap-around, integer division and modulo signs, conversions
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger, math.mininteger - 1)
print(math.maxinteger * 2, math.mininteger * -1, -math.mininteger, math.abs(math.mininteger))
print(7 // 2, -7 // 2, 7 // -2, -7 // -2, 7 % 3, -7 % 3, 7 % -3, -7 % -3)
print(7.0 // 2, -7.5 // 2, 7 % 2.5, -7 % 2.5, 5.5 % -2, 1e308 * 10, -1e308 * 10)
print(1 // 0.0, -1 // 0.0, pcall(function() return 1 // 0 end))
print(pcall(function() return 1 % 0 end))
print(3 / 2, 4 / 2, math.type(4 / 2), math.type(4 // 2), math.type(2^2), 2^53 + 1)
print(1 == 1.0, math.type(1), math.type(1.0), math.type("1"), 0.0 == -0.0, 1 / (-0.0))
print(math.tointeger(3.0), math.tointeger(3.5), math.tointeger("8"), math.tointeger(2^63))
print(3 | 0, pcall(function() return 3.5 | 0 end))
print(string.format("%d", 3.0), pcall(string.format, "%d", 3.5))
print(9007199254740993, 2^63 == math.maxinteger + 1.0, math.maxinteger + 0.0, math.mininteger + 0.0)
print(math.maxinteger // -1, math.mininteger // -1, math.mininteger % -1)
print(0x7fffffffffffffff, 0xffffffffffffffff, 0x10000000000000000, -0x8000000000000000)
print(1e2, 100, 1e2 == 100, 123456789012345678)
print(tostring(1e100 // 1), math.floor(-3.5), math.ceil(-3.5), math.floor(2^62), math.type(math.floor(1e100)))
local f = 1
for i = 1, 25 do f = f * i end
print("25! wraps to", f)
local x = 0.1
local sum = 0
for _ = 1, 10 do sum = sum + x end
print(sum, sum == 1.0, string.format("%.17g", sum))
print(5 // 0.0, -5 % math.huge, 5 % -math.huge, math.fmod(-7, 3), math.fmod(7, -3), pcall(math.fmod, 1, 0))
print(math.ult(1, -1), math.ult(-1, 1), 10 == "10", tostring(10) == "10")
for i = 3, 1, -1 do io.write(i, " ") end
for i = 1.0, 2.0, 0.5 do io.write(i, " ") end
for i = math.maxinteger - 2, math.maxinteger do io.write(i, " ") end
print()
