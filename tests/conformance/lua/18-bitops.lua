-- conformance:
-- integer division and bit operations: and/or/xor/not, shifts (logical, out of range), hex, popcount by hand
print(0xF0 & 0x3C, 0xF0 | 0x3C, 0xF0 ~ 0x3C, ~0, ~0xFF, 1 << 62, 1 << 63, 1 << 64, -1 >> 1, -1 >> 63, 5 >> -1, 5 << -1)
print(string.format("%x %x %x", -1, math.mininteger, ~math.maxinteger), 2^31 | 0, math.tointeger("0x10") | 0, pcall(function() return 1.5 & 1 end))
local function popcount(x) local c = 0 while x ~= 0 do c = c + (x & 1); x = x >> 1 end return c end
print(popcount(0), popcount(255), popcount(-1), popcount(0x5555555555555555), popcount(math.mininteger))
local function rotl(x, n) return (x << n) | (x >> (64 - n)) end
print(string.format("%016x %016x", rotl(0x0123456789abcdef, 8), rotl(0x8000000000000001, 1)))
local h = 0xcbf29ce484222325
for c in ("the quick brown fox"):gmatch(".") do h = (h ~ c:byte()) * 0x100000001b3 end
print(string.format("fnv1a %016x", h))
local x = 0x12345678
local s = 0
for _ = 1, 100000 do x = x ~ (x << 13); x = x ~ (x >> 7); x = x ~ (x << 17); s = s + (x & 0xffff) end
print(string.format("xorshift %016x sum %d", x, s))
print(17 // 5, -17 // 5, 17 // -5, 17 % 5, -17 % 5, 17 % -5, math.mininteger // 2, math.maxinteger // 3)
local bits = {}
for i = 0, 15 do bits[#bits + 1] = (0xA5C3 >> i) & 1 end
print(table.concat(bits))
print(3 & 5 | 2 ~ 7, 1 << 2 + 1, ~5 & 0xF, 0xff & 15)
