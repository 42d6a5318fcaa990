-- conformance:
-- math library: functions printed with %.12g, exact functions in full, math.random with a fixed seed
local function p(...) local t = {} for i, v in ipairs({ ... }) do t[i] = string.format("%.12g", v) end print(table.concat(t, " ")) end
p(math.sin(1), math.cos(1), math.tan(1), math.asin(0.5), math.acos(0.5), math.atan(1), math.atan(1, -1), math.atan(-1, -1))
p(math.exp(1), math.log(10), math.log(8, 2), math.log(1000, 10), math.log(2, 3), math.sqrt(2), 2 ^ 0.5, 10 ^ -2)
print(math.floor(3.7), math.ceil(3.2), math.floor(-3.7), math.ceil(-3.2), math.abs(-4), math.abs(-4.5))
print(math.max(3, 7.5, -1), math.min(3, 7.5, -1), math.max(1), math.huge, -math.huge, math.pi)
print(math.modf(3.75), math.modf(-3.75), math.modf(5), math.modf(math.huge))
print(math.fmod(10, 3), math.fmod(-10, 3), math.fmod(10.5, 3), math.sqrt(16), math.sqrt(-1) ~= math.sqrt(-1))
print(math.tointeger(2^31), math.type(math.sqrt(4)), 8 ^ (1 / 3), math.exp(0), math.log(1))
math.randomseed(42)
local r = {}
for i = 1, 8 do r[i] = math.random(1, 100) end
print(table.concat(r, " "))
for i = 1, 4 do r[i] = string.format("%.10f", math.random()) end
print(table.concat(r, " ", 1, 4))
print(math.random(5), math.random(-3, 3), math.type(math.random(0)))
math.randomseed(42)
print(math.random(1, 100) == tonumber((table.concat({ r[1] }))) or "reseeded")
math.randomseed(7, 11)
local hist = { 0, 0, 0, 0, 0, 0 }
for _ = 1, 6000 do local d = math.random(6); hist[d] = hist[d] + 1 end
print(table.concat(hist, " "))
local s = 0
for i = 1, 1000 do s = s + math.sin(i) * math.cos(i / 2) end
print(string.format("%.9f", s))
print(pcall(math.random, 2, 1))
