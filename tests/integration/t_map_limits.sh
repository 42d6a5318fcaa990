#!/bin/bash
# `zvm map` limits and streams (docs/system-map.md): per-node limits from
# the map, the map's own wall limit (--timeout), the spool cap
# (--spool-bytes), the progress line on a terminal, and streamed edges (a
# 3-stage pipeline streamed and spooled, byte for byte; the refusals). TAP.
set -u
source "$(dirname "$0")/../lib.sh"
CAT=$PWD/$BUILD/examples/cat.nexe
LUA=$PWD/$BUILD/lua.nexe
for f in "$ZVM" "$CAT" "$LUA"; do
	[ -e "$f" ] || { skip "$f not built"; exit 0; }
done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache TMPDIR=$T/tmp LC_ALL=C
mkdir -p "$T/tmp"
ZVM=$PWD/$ZVM
cd "$T" || exit 1

# per-node limits: the manifest's keys, in the node's manifest and enforced
cat > lim.json <<JSON
[{"name":"spin","exec":{"path":"$LUA","args":["-e","while true do end"]},"limits":{"Timeout":"300ms"}},
 {"name":"big","exec":{"path":"$LUA","args":["-e","local t = {} for i = 1, 1e7 do t[i] = string.rep('y', 20) .. i end"]},
  "limits":{"Memory":"16M","Timeout":10,"CpuTime":5}}]
JSON
"$ZVM" map --dry-run lim.json > dry 2>&1
check "limits: in the node's manifest (--dry-run)" bash -c "grep -q '^Timeout = 0.3$' dry && grep -q '^Memory = 16777216$' dry &&
	grep -q '^CpuTime = 5$' dry"
t0=$(date +%s%N); "$ZVM" map lim.json >/dev/null 2>err; rc=$?; t1=$(date +%s%N)
check "limits: Timeout 300ms ends that node (one line, its limit named)" grep -q '^zvm map: node spin: timeout after 0.3[0-9] s (wall limit 0.3 s)$' err
check "limits: Memory 16M ends that node" grep -q '^zvm map: node big: memory limit 16 MiB reached' err
check "limits: the worst node's status (124, the first in map order), well before the default 10 s" \
	bash -c "[ $rc = 124 ] && [ $(( (t1 - t0) / 1000000 )) -lt 5000 ]"
printf '[{"name":"a","exec":{"path":"p"},"limits":{"Memory":"64MB"}}]' > bad.json
"$ZVM" map bad.json >/dev/null 2>err; rc=$?
check "limits: a bad value is an error naming the JSON path, before anything runs (125)" bash -c "[ $rc = 125 ] &&
	[ \"\$(cat err)\" = 'zvm map: bad.json: [0].limits.Memory: expected bytes (like 64M, \"1 GiB\" or 1048576) from 1M to 3G' ]"

# the map's wall limit: running cells killed, nodes not started end too
cat > to.json <<JSON
[{"name":"spin","exec":{"path":"$LUA","args":["-e","local f = io.open('/dev/output', 'w') f:setvbuf('no') local i = 0 while true do i = i + 1 if i % 20000 == 0 then f:write('.') end end"]},
  "devices":[{"name":"output","path":"spin.out"}],"connect":["after"]},
 {"name":"after","exec":{"path":"$CAT"},"devices":[{"name":"stdout","path":"after.out"}]},
 {"name":"quick","exec":{"path":"$LUA","args":["-e","print('quick')"]},"devices":[{"name":"stdout"}]}]
JSON
t0=$(date +%s%N); "$ZVM" map --timeout 1 --report text to.json > out 2>err; rc=$?; t1=$(date +%s%N)
s1=$(stat -c %s spin.out); sleep 0.3; s2=$(stat -c %s spin.out)
check "--timeout 1: exit 124 after about 1 s" bash -c "[ $rc = 124 ] && [ $(( (t1 - t0) / 1000000 )) -ge 900 ] &&
	[ $(( (t1 - t0) / 1000000 )) -lt 3000 ]"
check "--timeout: the running cell was killed (its output stopped growing: $s1 -> $s2 bytes)" \
	bash -c "[ $s1 -gt 0 ] && [ $s1 = $s2 ]"
check "--timeout: the running node's report says the map's limit ended it" \
	grep -q "^zvm map: spin: timeout, exit status 124, .*(timeout: the map's wall limit (--timeout 1 s) ended it after 1\.[0-9]* s)$" err
check "--timeout: the node not started is reported, state timeout" \
	grep -q "^zvm map: after: timeout, exit status 124, .*(timeout: not started, the map's wall limit (--timeout 1 s) ended the map)$" err
check "--timeout: a node that ended before keeps its state and its output" \
	bash -c "grep -q '^zvm map: quick: ok, exit status 0' err && [ \"\$(cat out)\" = quick ] && [ ! -e after.out ]"
check "--timeout: the summary is the job's timeout, the spool removed" \
	bash -c "grep -q '^zvm map: timeout, 3 nodes, 2 not ok, first worst spin, wall .*, exit status 124$' err && [ -z \"\$(ls tmp)\" ]"
"$ZVM" map --timeout 1 --report json --report-file rep.json to.json >/dev/null 2>&1
check "--timeout: JSON: state timeout, map_timeout and the message per node" bash -c "
	grep -q '^{\"state\":\"timeout\",\"exit_status\":124,.*\"worst_node\":\"spin\"' rep.json &&
	grep -q '\"name\":\"after\",\"node_state\":\"timeout\",\"node_exit_status\":124,[^}]*\"map_timeout\":true,\"node_message\":\"timeout: not started' rep.json"
"$ZVM" map --timeout 0 to.json >/dev/null 2>&1; check "--timeout 0: a usage error (2)" test $? = 2

# the spool cap: split over the spooled edge files, a node over its share fails
cat > sp.json <<JSON
[{"name":"a","exec":{"path":"$LUA","args":["-e","local o = io.open('/dev/out/b','w') o:write(string.rep('x', 1000)) o:close()"]},"connect":["b"]},
 {"name":"b","exec":{"path":"$LUA","args":["-e","io.write(#io.open('/dev/in/a'):read('a'), '\\\\n')"]},"devices":[{"name":"stdout"}]}]
JSON
out=$("$ZVM" map --spool-bytes 1000 sp.json 2>err); rc=$?
check "--spool-bytes 1000, one edge of 1000 bytes: ok, all through" bash -c "[ $rc = 0 ] && [ '$out' = 1000 ] && [ ! -s err ]"
out=$("$ZVM" map --spool-bytes 999 sp.json 2>err); rc=$?
check "--spool-bytes 999: the writer fails, spool limit (119), the edge named" bash -c "[ $rc = 119 ] &&
	[ \"\$(cat err)\" = 'zvm map: node a: spool limit on /dev/out/b: its share of --spool-bytes is 999 bytes' ]"
check "--spool-bytes: its destination saw end of file on that edge (0 bytes)" test "$out" = 0
"$ZVM" map --spool-bytes 999 --report json --report-file rep.json sp.json >/dev/null 2>&1
check "--spool-bytes: JSON: node_state spool limit, the edge, limit_reached" bash -c "
	grep -q '^{\"state\":\"spool limit\",\"exit_status\":119,.*\"worst_node\":\"a\"' rep.json &&
	grep -q '\"node_state\":\"spool limit\",\"node_exit_status\":119,.*\"spool_limit\":\"/dev/out/b\"' rep.json &&
	grep -q '\"alias\":\"/dev/out/b\",\"reads\":0,\"read_bytes\":0,\"writes\":1,\"write_bytes\":999,\"limit_reached\":true' rep.json"
# two mappers into two reducers: 4 edge files, 100 bytes each of 400
cat > sp4.json <<JSON
[{"name":"a","count":2,"exec":{"path":"$LUA","args":["-e","for _, d in ipairs({'b-1','b-2'}) do io.open('/dev/out/' .. d, 'w'):write(string.rep('x', 100)) end"]},"connect":["b"]},
 {"name":"b","count":2,"exec":{"path":"$CAT"},"devices":[{"name":"stdin","path":"/dev/null"}]}]
JSON
"$ZVM" map --dry-run --spool-bytes 400 sp4.json > dry
check "--spool-bytes 400 over 4 edge files: 100 bytes each (--dry-run)" \
	bash -c "[ \$(grep -c '^Channel = \$SPOOL/edge-[01]-[23], /dev/out/b-[12], 0, 0, 0, unlimited, 100$' dry) = 4 ]"
"$ZVM" map --spool-bytes 400 sp4.json 2>err; rc1=$?
"$ZVM" map --spool-bytes 399 sp4.json 2>err2; rc2=$?
check "--spool-bytes 400: exactly each share, ok; 399 (99 each): every writer fails" bash -c "[ $rc1 = 0 ] && [ $rc2 = 119 ] &&
	grep -q '^zvm map: node a-1: spool limit on /dev/out/b-1: its share of --spool-bytes is 99 bytes$' err2 &&
	grep -q '^zvm map: node a-2: spool limit' err2"
"$ZVM" map --spool-bytes 3 sp4.json >/dev/null 2>err; rc=$?
check "--spool-bytes below one byte per edge file: refused before anything runs (2)" bash -c "[ $rc = 2 ] &&
	[ \"\$(cat err)\" = 'zvm map: --spool-bytes 3 is less than one byte for each of the map'\"'\"'s 4 spooled edge files' ]"
"$ZVM" map --spool-bytes 1MB sp.json >/dev/null 2>&1; check "--spool-bytes 1MB: a usage error (2)" test $? = 2
"$ZVM" map --spool-bytes unlimited --dry-run sp.json | grep -q '/dev/out/b, 0, 0, 0, unlimited, unlimited$'
check "--spool-bytes unlimited: no cap on the edges" test $? = 0

# the progress line: on a terminal, for maps of more than 8 nodes
cat > many.json <<JSON
[{"name":"n","count":10,"exec":{"path":"$LUA","args":["-e","print('hi')"]},"devices":[{"name":"stdout"}]}]
JSON
"$ZVM" map many.json >/dev/null 2>err
check "progress: nothing when stderr is not a terminal" test ! -s err
if command -v script >/dev/null; then
	script -qc "'$ZVM' map -j 2 many.json" /dev/null > tty.out
	check "progress: on a terminal, 'zvm map: N done, N running, N waiting', rewritten with \\r" \
		bash -c "grep -q \$'\\rzvm map: 0 done, 2 running, 8 waiting\\e\\[K' tty.out && grep -q 'zvm map: [0-9]* done' tty.out"
	check "progress: erased at the end, the nodes' output whole" \
		bash -c "[ \"\$(tail -c 4 tty.out | od -An -c | tr -d ' ')\" = 'hi\\r\\n' ] && [ \$(grep -ao hi tty.out | wc -l) = 10 ] &&
			grep -aq \$'\\r\\e\\[Khi' tty.out && ! grep -aq \$'waiting\\e\\[Khi' tty.out"
	script -qc "'$ZVM' map -j 2 to.json --timeout 0.2" /dev/null > tty.out
	check "progress: none for a map of 8 nodes or fewer, even on a terminal" bash -c "! grep -aq waiting tty.out"
else
	skip "progress on a terminal: script(1) not installed"
	skip "progress erased"
	skip "progress small maps"
fi

# streamed edges: grep -> sort -> uniq -c, the same bytes streamed and spooled
seq 1 30000 | sed 's/$/ word/' > in.txt
cat > pipe.json <<JSON
[{"name":"grep","exec":{"path":"$LUA","args":["-e","local o = io.open('/dev/out/sort','w') for l in io.lines() do if l:find('7') then o:write(l:sub(1,2), '\\\\n') end end o:close()"]},
  "devices":[{"name":"stdin","path":"in.txt"}],"connect":["sort"],"stream":true},
 {"name":"sort","exec":{"path":"$LUA","args":["-e","local t = {} for l in io.lines('/dev/in/grep') do t[#t+1] = l end table.sort(t) local o = io.open('/dev/out/uniq','w') for _, l in ipairs(t) do o:write(l, '\\\\n') end o:close()"]},
  "connect":["uniq"],"stream":true},
 {"name":"uniq","exec":{"path":"$LUA","args":["-e","local p, n = nil, 0 for l in io.lines('/dev/in/sort') do if l == p then n = n + 1 else if p then print(n, p) end p, n = l, 1 end end if p then print(n, p) end"]},
  "devices":[{"name":"stdout"}]}]
JSON
sed 's/"stream":true/"stream":false/' pipe.json > spooled.json
grep 7 in.txt | cut -c1-2 | sort | uniq -c | sed 's/^ *\([0-9]*\) /\1\t/' > native
"$ZVM" map pipe.json > streamed.out 2>err; rc1=$?
"$ZVM" map spooled.json > spooled.out 2>>err; rc2=$?
check "stream: a 3-stage pipeline streamed and spooled: exit 0, byte for byte the same" \
	bash -c "[ $rc1 = 0 ] && [ $rc2 = 0 ] && [ ! -s err ] && [ -s streamed.out ] && cmp -s streamed.out spooled.out"
check "stream: and equal to grep | sort | uniq -c" cmp -s native streamed.out
"$ZVM" map --dry-run pipe.json > dry
check "stream: --dry-run shows the edges as pipes" bash -c "grep -q '^Channel = \$PIPE-0-1, /dev/out/sort, 0, 0, 0, unlimited, unlimited$' dry &&
	grep -q '^Channel = \$PIPE-1-2, /dev/in/sort, 0, unlimited, unlimited, 0, 0$' dry"
# a pipe holds 64 KiB: a source writing 4 MiB only ends if its destination reads at the same time
cat > big.json <<JSON
[{"name":"src","exec":{"path":"$LUA","args":["-e","local o = io.open('/dev/out/dst','w') local s = string.rep('z', 65536) for i = 1, 64 do o:write(s) end o:close()"]},"connect":["dst"],"stream":true},
 {"name":"dst","exec":{"path":"$LUA","args":["-e","print(#io.open('/dev/in/src'):read('a'))"]},"devices":[{"name":"stdout"}]}]
JSON
out=$("$ZVM" map --timeout 20 --spool-bytes 1M big.json 2>err); rc=$?
check "stream: 4 MiB through a pipe (source and destination at once; the spool cap not applied)" \
	bash -c "[ $rc = 0 ] && [ '$out' = 4194304 ]"
"$ZVM" map -j 2 pipe.json >/dev/null 2>err; rc=$?
check "stream: a set larger than --jobs is refused before anything runs (2)" bash -c "[ $rc = 2 ] &&
	[ \"\$(cat err)\" = 'zvm map: node grep streams to 2 nodes that must run at once with it (3 cells); --jobs is 2' ]"
cat > two.json <<JSON
[{"name":"a","exec":{"path":"$CAT"},"stream":true,"connect":["c"]},
 {"name":"b","exec":{"path":"$CAT"},"connect":["c"]},
 {"name":"c","exec":{"path":"$CAT"}}]
JSON
"$ZVM" map two.json >/dev/null 2>err; rc=$?
check "stream: into a node with another input (could deadlock): refused, 125" bash -c "[ $rc = 125 ] &&
	grep -q '^zvm map: two.json: \[0\].stream: c reads 2 edges, one of them streamed from a; a streamed edge must be its destination.s only input (cells cannot poll)$' err"
# a failing source: streamed, its destination read what it wrote; spooled, nothing
cat > fail.json <<JSON
[{"name":"bad","exec":{"path":"$LUA","args":["-e","local o = io.open('/dev/out/dst','w') o:write('partial\\\\n') o:close() os.exit(3)"]},"connect":["dst"],"stream":true},
 {"name":"dst","exec":{"path":"$LUA","args":["-e","io.write(io.open('/dev/in/bad'):read('a'))"]},"devices":[{"name":"stdout"}]}]
JSON
out=$("$ZVM" map fail.json 2>err); rc=$?
check "stream: a failing source (exit 3): the map's status 3, its destination read what it wrote" \
	bash -c "[ $rc = 3 ] && [ '$out' = partial ]"
sed 's/"stream":true/"stream":false/' fail.json > fail2.json
out=$("$ZVM" map fail2.json 2>err); rc=$?
check "spooled, the same failing source leaves its edge empty" bash -c "[ $rc = 3 ] && [ -z '$out' ]"
check "no spool left behind by any of these" bash -c "[ -z \"\$(ls tmp)\" ]"
