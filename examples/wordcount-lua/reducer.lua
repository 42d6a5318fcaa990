-- reducer.lua: the word count's reducer in Lua (examples/wordcount-lua/job.json),
-- run by lua.nexe from the map's `script` device (`lua /dev/script [GROUP]`).
-- The same as examples/wordcount/reducer.c: reads "word count" lines from each
-- mapper of group GROUP (default "map") one after another, sums them by word
-- and prints them as `sort | uniq -c` does (the count in seven columns).
local group = arg[1] or 'map'

local counts, words = {}, {}
local function read(path)
	local f = io.open(path, 'r')
	if not f then
		return false
	end
	for line in f:lines() do
		local w, n = line:match('^(.*) (%d+)$')
		if w then
			if not counts[w] then
				words[#words + 1] = w
				counts[w] = 0
			end
			counts[w] = counts[w] + tonumber(n)
		end
	end
	f:close()
	return true
end

-- Lua has no directory listing, so the reducer cannot list /dev/in as the C
-- one does: it opens /dev/in/GROUP (one mapper), else /dev/in/GROUP-1,
-- GROUP-2, ... until one fails to open (the map names them without gaps).
if not read('/dev/in/' .. group) then
	local i = 1
	while read(('/dev/in/%s-%d'):format(group, i)) do
		i = i + 1
	end
end

table.sort(words) -- musl's strcoll is strcmp: the order of `LC_ALL=C sort`
local out = {}
for i, w in ipairs(words) do
	out[i] = ('%7d %s\n'):format(counts[w], w)
end
io.write(table.concat(out))
