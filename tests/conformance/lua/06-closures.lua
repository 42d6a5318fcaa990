-- conformance:
-- closures and upvalues: counters, shared upvalues, closures in loops, recursion through locals, higher-order functions
local function counter(start, step)
  local n = start
  return function() n = n + step; return n end, function() return n end
end
local inc, get = counter(10, 5)
inc(); inc()
print(get(), inc(), get())
local fs = {}
for i = 1, 5 do fs[i] = function() return i * i end end
local out = {}
for i = 1, 5 do out[i] = fs[i]() end
print(table.concat(out, " "))
local shared = {}
do
  local x = 0
  shared.add = function(d) x = x + d end
  shared.get = function() return x end
end
shared.add(3); shared.add(4)
print(shared.get())
local function map(t, f) local r = {} for i, v in ipairs(t) do r[i] = f(v) end return r end
local function filter(t, p) local r = {} for _, v in ipairs(t) do if p(v) then r[#r + 1] = v end end return r end
local function reduce(t, f, acc) for _, v in ipairs(t) do acc = f(acc, v) end return acc end
local nums = {}
for i = 1, 20 do nums[i] = i end
local evsq = map(filter(nums, function(v) return v % 2 == 0 end), function(v) return v * v end)
print(table.concat(evsq, ","), reduce(evsq, function(a, b) return a + b end, 0))
local function compose(...)
  local fns = { ... }
  return function(x) for i = #fns, 1, -1 do x = fns[i](x) end return x end
end
print(compose(function(x) return x + 1 end, function(x) return x * 2 end)(5))
local function memo(f)
  local cache = {}
  return function(n) local v = cache[n]; if v == nil then v = f(n); cache[n] = v end; return v end
end
local fib
fib = memo(function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end)
print(fib(80), fib(90))
local function curry(f) return function(a) return function(b) return f(a, b) end end end
print(curry(math.max)(3)(7), curry(string.rep)("ab")(3))
local acc = {}
for _, name in ipairs({ "a", "b", "c" }) do
  acc[#acc + 1] = (function(prefix) return function(s) return prefix .. s end end)(name)
end
print(acc[1]("1"), acc[2]("2"), acc[3]("3"))
print(debug.getupvalue(inc, 1), select(2, debug.getupvalue(inc, 2)))
