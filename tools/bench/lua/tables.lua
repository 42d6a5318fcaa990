-- Table-heavy: array and hash inserts, lookups, a sort with a comparator,
-- object-like tables with metatables (allocation and the garbage collector).
local N = tonumber(arg and arg[1]) or 400000
local t = {}
for i = 1, N do t[i] = (i * 7919) % N end
local h = {}
for i = 1, N do h["k" .. (t[i] % 50000)] = (h["k" .. (t[i] % 50000)] or 0) + i end
local count, sum = 0, 0
for k, v in pairs(h) do count = count + 1; sum = sum + v end
table.sort(t, function(a, b) return a > b end)
local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({ x = x, y = y }, Point) end
function Point:add(o) return Point.new(self.x + o.x, self.y + o.y) end
local p = Point.new(0, 0)
for i = 1, N do p = p:add(Point.new(i % 3, i % 5)) end
print("keys", count, "sum", sum, "first", t[1], "last", t[N], "point", p.x, p.y)
