-- conformance:
-- string.format of integers and floats: widths, precisions, %g/%e/%f/%a, inf/nan, %q of numbers
local vals = { 0, 1, -1, 0.1, 1/3, 2.5, 1e10, 1.5e-5, 123456789.125, 1e300, -0.0 }
for _, v in ipairs(vals) do
  print(string.format("%g|%e|%f|%.3g|%.0f|%10.4f|%-10.2e|%+.5g|%.17g", v, v, v, v, v, v, v, v, v))
end
print(string.format("%a %a %a %A", 1.0, 0.5, -3.0, 255.75))
print(string.format("%5.1f|%5s|%-5s|%05d|%x|%X|%o|%c|%%", 3.14159, "ab", "ab", 42, 255, 255, 8, 65))
print(string.format("%d %d %i", math.maxinteger, math.mininteger, -7))
print(string.format("%s %s %s", 1/0, -1/0, 2^53), 0/0 ~= 0/0)
print(string.format("%.14g %.14g %.14g", math.pi, math.huge, -math.pi))
print(string.format("%q %q %q", 1/3, math.mininteger, 10))
print(string.format("[%10s][%-10s][%.2s]", "right", "left", "truncate"))
print(1e15, 1e16, 123456789012345, 2^63, -2^63, 0.1 + 0.2, 100 / 2, 3 // 2.0, 1e-7)
for p = 0, 16, 4 do io.write(string.format("%." .. p .. "f ", 2 / 3)) end
print()
print(string.format("%5.2s|", "abc"), pcall(string.format, "%d", 1.5))
