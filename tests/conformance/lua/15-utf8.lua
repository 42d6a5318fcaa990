-- conformance:
-- utf8 library: char, charpattern, codes, codepoint, len, offset, invalid sequences
local s = "héllo wörld ☃ 𝄞"
print(#s, utf8.len(s), utf8.char(72, 233, 0x2603, 0x1D11E, 0x10FFFF):byte(1, -1))
for p, c in utf8.codes("aé☃𝄞") do io.write(p, ":", c, " ") end
print()
print(utf8.codepoint(s, 1, 8))
print(utf8.offset(s, 3), utf8.offset(s, -1), utf8.offset(s, -2), utf8.offset(s, 0, 3))
print(utf8.len("\xff"), utf8.len("abc\xe4"), utf8.len(s, 3), pcall(utf8.len, s, 20))
print(utf8.charpattern == "[\0-\x7F\xC2-\xFD][\x80-\xBF]*")
local count = 0
for ch in s:gmatch(utf8.charpattern) do count = count + 1 end
print("chars by pattern", count)
print(pcall(utf8.codepoint, "\xff"))
print(utf8.char(), utf8.char(65, 66), #utf8.char(0x7FF), #utf8.char(0x800), #utf8.char(0xFFFF), #utf8.char(0x10000))
local rev = {}
for _, c in utf8.codes("añb☃") do table.insert(rev, 1, utf8.char(c)) end
print(table.concat(rev))
print(("%q"):format("☃"), string.format("%5s|", "é"))
print(utf8.len("\u{7FFFFFFF}", 1, -1, true), utf8.codepoint("\u{7FFFFFFF}", 1, 1, true))
