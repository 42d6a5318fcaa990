-- conformance:
-- string.pack/unpack/packsize: integers of all sizes and endianness, floats, strings, alignment
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(hex(string.pack("<i4", 1)), hex(string.pack(">i4", 1)), hex(string.pack("<i2", -2)), hex(string.pack("B", 255)))
print(hex(string.pack("<j", math.mininteger)), hex(string.pack(">J", 1)), hex(string.pack("<i3", -1)))
print(hex(string.pack("<d", 1.5)), hex(string.pack(">f", -0.25)), hex(string.pack("<n", math.pi)))
print(hex(string.pack("z", "hi")), hex(string.pack("s1", "abc")), hex(string.pack("<s2", "xy")), hex(string.pack("c5", "ab")))
local packed = string.pack("<i4 d z s1 B", -123456, 2.5, "zero-terminated", "len-prefixed", 200)
print(#packed, string.unpack("<i4 d z s1 B", packed))
print(string.packsize("i4"), string.packsize("<i1 i8"), string.packsize("!8 i1 i8"), string.packsize("d n j"))
print(hex(string.pack("!4 <i1 i4", 1, 2)), hex(string.pack("<i1 x i2 Xi4 i4", 1, 2, 3)))
print(string.unpack("<I2", "\1\2"), string.unpack(">I2", "\1\2"), string.unpack("<i2", "\255\255"))
print(pcall(string.pack, "i1", 200), pcall(string.pack, "I1", -1))
print(string.unpack("<i16", string.pack("<i16", -2)), string.unpack("<I9", string.pack("<I9", 12345)))
local recs = {}
for i = 1, 5 do recs[#recs + 1] = string.pack("<I2 i4 f", i, -i * 1000, i / 4) end
local blob = table.concat(recs)
local pos, vals = 1, {}
while pos <= #blob do
  local a, b, c
  a, b, c, pos = string.unpack("<I2 i4 f", blob, pos)
  vals[#vals + 1] = a .. "/" .. b .. "/" .. c
end
print(#blob, table.concat(vals, " "))
print(string.unpack("z z", "one\0two\0"), string.unpack("=I4", string.pack("=I4", 0xdeadbeef)))
