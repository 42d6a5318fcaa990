-- String-heavy: formatting, concatenation through table.concat, patterns
-- (gsub, gmatch, find), string.rep/sub/byte and a word count.
local N = tonumber(arg and arg[1]) or 300000
local parts = {}
for i = 1, N do parts[#parts + 1] = string.format("%d:%x:%5.2f", i, i * 31, i / 7) end
local s = table.concat(parts, " ")
local words = 0
for w in s:gmatch("%S+") do words = words + 1 end
local replaced, n = s:gsub("(%d+):(%x+)", "%2-%1")
local found = 0
local pos = 1
while true do
	local a, b = s:find("99", pos, true)
	if not a then break end
	found = found + 1
	pos = b + 1
end
local bytes = 0
for i = 1, #s, 97 do bytes = bytes + s:byte(i) end
local up = s:sub(1, 200000):upper():lower():reverse()
print("len", #s, "words", words, "subs", n, "found", found, "bytes", bytes, #replaced, #up)
