-- mapper.lua: the word count's mapper in Lua (examples/wordcount-lua/job.json),
-- run by lua.nexe from the map's `script` device (`lua /dev/script [GROUP]`).
-- The same as examples/wordcount/mapper.c: counts the words of stdin (runs of
-- bytes other than space and newline) and writes sorted "word count" lines,
-- each word to one reducer of group GROUP (default "reduce") by the C
-- mapper's hash, or to stdout when there is none.
local group = arg[1] or 'reduce'

local counts, words = {}, {}
for w in io.read('a'):gmatch('[^ \n]+') do
	local n = counts[w]
	if not n then
		words[#words + 1] = w
		n = 0
	end
	counts[w] = n + 1
end
table.sort(words) -- musl's strcoll is strcmp: the order of `LC_ALL=C sort`

-- Lua cannot list /dev/out, so try /dev/out/GROUP, then GROUP-1, GROUP-2, ...
-- until one is missing. Probed with "r": in a cell that has a /dev/out,
-- opening a missing name there for writing would create a plain file.
local function exists(path)
	local f = io.open(path, 'r')
	if f then f:close() end
	return f ~= nil
end
local outs = {}
if exists('/dev/out/' .. group) then
	outs[1] = '/dev/out/' .. group
else
	while exists(('/dev/out/%s-%d'):format(group, #outs + 1)) do
		outs[#outs + 1] = ('/dev/out/%s-%d'):format(group, #outs + 1)
	end
end

-- table.h's hash in 64 bits (Lua's integers wrap as C's unsigned long does)
-- and its remainder taken as unsigned, so a word goes to the reducer the C
-- mapper sends it to. (FNV-1a, but with table.h's offset basis, which is
-- FNV's 14695981039346656037 short of its last digit.)
local function hash(w)
	local h = 1469598103934665603
	for i = 1, #w do
		h = (h ~ w:byte(i)) * 1099511628211
	end
	return h
end
local function umod(h, n)
	return (2 * ((h >> 1) % n) + (h & 1)) % n
end

local lines = {}
for k = 1, math.max(#outs, 1) do
	lines[k] = {}
end
for _, w in ipairs(words) do
	local k = #outs > 1 and umod(hash(w), #outs) + 1 or 1
	local l = lines[k]
	l[#l + 1] = w .. ' ' .. counts[w] .. '\n'
end
if #outs == 0 then
	io.write(table.concat(lines[1]))
end
for k, path in ipairs(outs) do
	local f = assert(io.open(path, 'w'))
	assert(f:write(table.concat(lines[k])))
	assert(f:close())
end
