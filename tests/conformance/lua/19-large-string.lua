-- conformance:
-- large string building: table.concat of many pieces, repeated concatenation, string.rep, gsub over megabytes; prints digests only
local function digest(s)
  local h = 0
  for i = 1, #s, 97 do h = (h * 31 + s:byte(i)) % 4294967296 end
  return string.format("%d bytes, h=%08x, head=%q, tail=%q", #s, h, s:sub(1, 12), s:sub(-12))
end
local parts = {}
for i = 1, 200000 do parts[i] = string.format("%06d;", (i * 7919) % 1000003) end
local big = table.concat(parts)
print(digest(big))
local s = ""
for i = 1, 5000 do s = s .. tostring(i) .. "," end
print(digest(s))
local r = ("abc123"):rep(500000, "|")
print(digest(r))
local replaced, n = r:gsub("%d+", function(d) return #d end)
print(n, digest(replaced))
local up = r:upper()
print(digest(up), up:find("ABC123|ABC", 1, true))
local words = {}
for w in big:gmatch("%d%d%d") do words[#words + 1] = w; if #words >= 300000 then break end end
print(#words, words[1], words[#words])
local buf = {}
for i = 1, 100 do buf[#buf + 1] = string.rep(string.char(65 + i % 26), i) end
io.write(table.concat(buf, "\n"), "\n")
local rev = big:sub(1, 100000):reverse()
print(digest(rev))
print(collectgarbage("count") > 0, #table.concat({}, "x"))
