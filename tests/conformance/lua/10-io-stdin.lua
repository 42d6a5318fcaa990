-- conformance: stdin=input.txt
-- io.read from stdin: lines, numbers, counts, "a"; io.lines on stdin
local first = io.read("l")
local second = io.read("L")
print("first:", first)
io.write("second with newline: ", second)
local n = io.read("n")
print("number after skipping text:", n)
local third = io.read("l")
print("rest of line:", "[" .. tostring(third) .. "]")
local a, b, c, d = io.read("n", "n", "n", "n")
print("numbers:", a, b, c, d, math.type(a), math.type(c))
print("hex number:", io.read("n"))
io.read("l")
print("5 chars:", io.read(5))
local count, longest = 0, 0
for line in io.lines() do
  count = count + 1
  if #line > longest then longest = #line end
  if count <= 3 then print("line", count, #line, line:sub(1, 30)) end
end
print("lines", count, "longest", longest)
print("read at eof:", io.read("l"), io.read("a") == "", io.read(0))
