-- conformance:
-- coroutines: generators, passing values both ways, status, wrap, errors inside, yield across pcall, close
local function gen(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i, i * i) end return "done" end)
end
local g = gen(4)
for _ = 1, 5 do print(g()) end
local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got", d, e)
  return "end", a + b + c + d + e
end)
print(coroutine.status(co), coroutine.resume(co, 1, 2))
print(coroutine.status(co), coroutine.resume(co, 10))
print(coroutine.resume(co, 100, 1000))
print(coroutine.status(co), coroutine.resume(co))
local bad = coroutine.create(function() coroutine.yield(1); error({ code = 42 }) end)
print(coroutine.resume(bad))
local ok, err = coroutine.resume(bad)
print(ok, type(err), err.code, coroutine.status(bad))
local function producer()
  return coroutine.create(function()
    for _, w in ipairs({ "alpha", "beta", "gamma", "delta" }) do coroutine.yield(w) end
  end)
end
local function filter(src)
  return coroutine.create(function()
    while true do
      local ok2, v = coroutine.resume(src)
      if not v then return end
      if #v > 4 then coroutine.yield(v:upper()) end
    end
  end)
end
local f = filter(producer())
while true do local _, v = coroutine.resume(f); if not v then break end; io.write(v, " ") end
print()
local yp = coroutine.wrap(function()
  local r = { pcall(function() coroutine.yield("inside pcall"); error("after yield") end) }
  coroutine.yield(tostring(r[1]) .. " " .. tostring(r[2]):gsub("^.-:%d+: ", ""))
  return "finished"
end)
print(yp()); print(yp()); print(yp())
print(coroutine.isyieldable(), coroutine.running() ~= nil, select(2, coroutine.running()))
local c2 = coroutine.create(function() coroutine.yield() end)
coroutine.resume(c2)
print(coroutine.close(c2), coroutine.status(c2))
local depth = 0
local function nest(n) if n == 0 then return 0 end return 1 + coroutine.wrap(function() return nest(n - 1) end)() end
print(nest(100))
local many = {}
for i = 1, 1000 do many[i] = coroutine.create(function(x) coroutine.yield(x + 1); return x * 2 end) end
local s = 0
for i = 1, 1000 do local _, v = coroutine.resume(many[i], i); s = s + v end
for i = 1, 1000 do local _, v = coroutine.resume(many[i]); s = s + v end
print(s)
