-- conformance:
-- goto (continue, nested break, retry), varargs with nils, select, table.pack/unpack, multiple returns
for i = 1, 10 do
  if i % 3 == 0 then goto continue end
  io.write(i, " ")
  ::continue::
end
print()
for i = 1, 3 do
  for j = 1, 3 do
    if i * j == 4 then goto done end
    io.write(i, "*", j, " ")
  end
end
::done::
print("escaped nested loops")
local attempts = 0
::retry::
attempts = attempts + 1
if attempts < 4 then goto retry end
print("attempts", attempts)
local function va(...)
  local n = select("#", ...)
  local t = table.pack(...)
  return n, t.n, select(2, ...)
end
print(va(1, nil, 3, nil))
print(va())
print(select(-1, "a", "b", "c"), select(-2, "a", "b", "c"))
local packed = table.pack(1, nil, nil)
print(packed.n, #{ table.unpack(packed, 1, packed.n) } >= 1)
print(table.unpack({ 1, 2, 3 }, 2), table.unpack({ 1, 2, 3 }, 2, 5))
local function multi() return 1, 2, 3 end
print(multi(), multi())
print((multi()))
local t = { multi(), multi() }
print(#t)
local function sum(...)
  local s = 0
  for i = 1, select("#", ...) do s = s + (select(i, ...) or 0) end
  return s
end
print(sum(1, 2, nil, 4), sum())
local function forward(...) return select("#", ...), ... end
print(forward(nil, nil))
local args = {}
for i = 1, 200 do args[i] = i end
print(sum(table.unpack(args)))
print(string.format("%s %s %s", table.unpack({ "x", "y", "z" })))
local function tail(n, acc) if n == 0 then return acc end return tail(n - 1, acc + n) end
print("tail call 1e6:", tail(1000000, 0))
do
  local i = 1
  ::top::
  if i <= 3 then io.write("loop", i, " "); i = i + 1; goto top end
  print()
end
