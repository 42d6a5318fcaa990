-- conformance:
-- metatables: arithmetic and comparison metamethods, __index/__newindex, __call, __tostring, __len, __close, __eq
local V = {}
V.__index = V
local function vec(x, y) return setmetatable({ x = x, y = y }, V) end
V.__add = function(a, b) return vec(a.x + b.x, a.y + b.y) end
V.__sub = function(a, b) return vec(a.x - b.x, a.y - b.y) end
V.__mul = function(a, b)
  if type(a) == "number" then return vec(a * b.x, a * b.y) end
  if type(b) == "number" then return vec(a.x * b, a.y * b) end
  return a.x * b.x + a.y * b.y
end
V.__unm = function(a) return vec(-a.x, -a.y) end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__lt = function(a, b) return a:len2() < b:len2() end
V.__le = function(a, b) return a:len2() <= b:len2() end
V.__tostring = function(a) return "(" .. a.x .. "," .. a.y .. ")" end
V.__len = function(a) return 2 end
V.__concat = function(a, b) return tostring(a) .. tostring(b) end
V.__call = function(self, k) return self[k] end
function V:len2() return self.x * self.x + self.y * self.y end
local a, b = vec(1, 2), vec(3, 4)
print(tostring(a + b), tostring(a - b), a * b, tostring(2 * a), tostring(a * 3), tostring(-a))
print(a == vec(1, 2), a ~= b, a < b, b <= a, #a, a .. b, a("y"))
local defaults = setmetatable({}, { __index = function(t, k) return k .. "?" end })
print(defaults.foo, defaults[1], rawget(defaults, "foo"))
local log = {}
local proxy = setmetatable({}, { __newindex = function(t, k, v) log[#log + 1] = k .. "=" .. tostring(v); rawset(t, k, v) end })
proxy.a = 1; proxy.b = 2; proxy.a = 3
print(table.concat(log, " "), proxy.a)
local ro = setmetatable({}, { __index = { x = 1 }, __newindex = function() error("read-only", 2) end })
print(ro.x, pcall(function() ro.y = 1 end))
local cnt = setmetatable({}, { __index = function(t, k) local v = 0; rawset(t, k, v); return v end })
for _, w in ipairs({ "a", "b", "a", "c", "a" }) do cnt[w] = cnt[w] + 1 end
print(cnt.a, cnt.b, cnt.c, cnt.d)
print(getmetatable("abc").__index == string, getmetatable(setmetatable({}, { __metatable = "locked" })))
do
  local order = {}
  do
    local x <close> = setmetatable({}, { __close = function() order[#order + 1] = "x closed" end })
    local y <close> = setmetatable({}, { __close = function() order[#order + 1] = "y closed" end })
    order[#order + 1] = "body"
  end
  print(table.concat(order, ", "))
end
local I = setmetatable({}, { __idiv = function() return "idiv" end, __mod = function() return "mod" end,
  __pow = function() return "pow" end, __band = function() return "band" end, __shl = function() return "shl" end,
  __bnot = function() return "bnot" end })
print(I // 1, I % 1, I ^ 1, I & 1, I << 1, ~I)
