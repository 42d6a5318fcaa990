#!/bin/bash
# `zvm map` (docs/system-map.md) run locally: the word count against the
# native pipeline; N->1, 1->N and N->M maps; node output in node order; a
# failing node and its downstream; a load error; replica mismatches; the
# report; --dry-run; --root; bad maps and their messages. TAP.
set -u
source "$(dirname "$0")/../lib.sh"
MAPPER=$PWD/$BUILD/examples/wordcount/mapper.nexe
REDUCER=$PWD/$BUILD/examples/wordcount/reducer.nexe
CAT=$PWD/$BUILD/examples/cat.nexe
LUA=$PWD/$BUILD/lua.nexe
for f in "$ZVM" "$MAPPER" "$REDUCER" "$CAT" "$LUA"; do
	[ -e "$f" ] || { skip "$f not built"; exit 0; }
done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache TMPDIR=$T/tmp LC_ALL=C
mkdir -p "$T/tmp"
cp -r examples/wordcount/data "$T/data"
(cd "$T/data" && cat ./*.txt | tr -s ' ' '\n' | sort | uniq -c) > "$T/native"

# the example as shipped, from the repository root
"$ZVM" map examples/wordcount/job.json > "$T/out" 2>"$T/err"; rc=$?
check "examples/wordcount/job.json: exit 0, nothing on stderr" bash -c "[ $rc = 0 ] && [ ! -s '$T/err' ]"
check "word count equals cat data/*.txt | tr -s ' ' '\\n' | sort | uniq -c" cmp -s "$T/native" "$T/out"
check "the spool is gone when the map ends" bash -c "[ -z \"\$(ls '$T/tmp')\" ]"

# N -> M: one mapper per file, two reducers; each word goes to one of them
cat > "$T/nm.json" <<JSON
[{"name":"reduce","exec":{"path":"$REDUCER"},"count":2,"devices":[{"name":"stdout"}]},
 {"name":"map","exec":{"path":"$MAPPER"},"devices":[{"name":"stdin","path":"data/*.txt"}],"connect":["reduce"]}]
JSON
"$ZVM" map --report json --report-file "$T/nm.report" "$T/nm.json" > "$T/out" 2>"$T/err"; rc=$?
check "N->M (3 mappers, 2 reducers): exit 0" test $rc = 0
check "N->M: the reducers' shares together are the native counts" bash -c "sort '$T/out' | cmp -s - <(sort '$T/native')"
check "N->M: every word counted by exactly one reducer" bash -c "[ \$(awk '{print \$2}' '$T/out' | sort | uniq -d | wc -l) = 0 ]"
check "N->M: reducer-1's output, whole, before reducer-2's (node order)" \
	bash -c "awk 'NR>1 && \$2 < prev {breaks++} {prev=\$2} END {exit breaks != 1}' '$T/out'"
grep -o '"name":"[a-z0-9-]*","node_state"' "$T/nm.report" | cut -d'"' -f4 | tr '\n' ' ' > "$T/names"
check "N->M: JSON report: job ok, the five nodes in node order" bash -c "grep -q '^{\"state\":\"ok\",\"exit_status\":0,\"wall_seconds\":' '$T/nm.report' &&
	[ \"\$(cat '$T/names')\" = 'reduce-1 reduce-2 map-1 map-2 map-3 ' ]"
check "N->M: each node carries its single-cell report (channels, digests)" \
	bash -c "grep -q '\"alias\":\"/dev/in/map-3\"' '$T/nm.report' && grep -q '\"alias\":\"/dev/out/reduce-2\"' '$T/nm.report'"

# 1 -> N: one mapper over everything, three reducers
cat "$T"/data/*.txt > "$T/all.txt"
cat > "$T/1n.json" <<JSON
[{"name":"map","exec":{"path":"$MAPPER"},"devices":[{"name":"stdin","path":"all.txt"}],"connect":["reduce"]},
 {"name":"reduce","exec":{"path":"$REDUCER"},"count":3,"devices":[{"name":"stdout"}]}]
JSON
"$ZVM" map "$T/1n.json" > "$T/out" 2>"$T/err"; rc=$?
check "1->N (1 mapper, 3 reducers): the same counts" bash -c "[ $rc = 0 ] && sort '$T/out' | cmp -s - <(sort '$T/native')"

# stdout with a path, '*' replaced by what the wildcard matched
cat > "$T/files.json" <<JSON
[{"name":"copy","exec":{"path":"$CAT"},"devices":[{"name":"stdin","path":"data/*.txt"},{"name":"stdout","path":"out/copy_*.txt"}]}]
JSON
mkdir -p "$T/out.d" && ln -s "$T/out.d" "$T/out" 2>/dev/null || { rm -f "$T/out"; ln -s "$T/out.d" "$T/out"; }
"$ZVM" map "$T/files.json" >/dev/null 2>"$T/err"; rc=$?
check "wildcard: one node per file, writing out/copy_<match>.txt" \
	bash -c "[ $rc = 0 ] && cmp -s '$T/data/sea.txt' '$T/out.d/copy_sea.txt' && cmp -s '$T/data/fox.txt' '$T/out.d/copy_fox.txt'"

# a failing node: writes to its edge, then exits 3; the reducer sees end of file there
cat > "$T/fail.json" <<JSON
[{"name":"good","exec":{"path":"$MAPPER"},"devices":[{"name":"stdin","path":"data/fox.txt"}],"connect":["reduce"]},
 {"name":"bad","exec":{"path":"$LUA","args":["-e","local f = io.open('/dev/out/reduce', 'w') f:write('the 100\\\\n') f:close() os.exit(3)"]},"connect":["reduce"]},
 {"name":"reduce","exec":{"path":"$REDUCER"},"devices":[{"name":"stdout"}]}]
JSON
"$ZVM" map --report text "$T/fail.json" > "$T/out.txt" 2>"$T/err"; rc=$?
(cd "$T/data" && tr -s ' ' '\n' < fox.txt | sort | uniq -c) > "$T/fox.native"
check "a failing node: zvm map exits with its code (3)" test $rc = 3
check "its downstream ran and saw end of file on that edge (no 'the 100')" cmp -s "$T/fox.native" "$T/out.txt"
check "the report names the failing node and its state" grep -q '^zvm map: bad: ok, exit status 3' "$T/err"
check "the summary line names the worst node" grep -q '^zvm map: ok, 3 nodes, 1 not ok, first worst bad, wall .*, exit status 3$' "$T/err"

"$ZVM" map "$T/fail.json" > /dev/null 2>"$T/err"
check "without --report: one line names the node whose exit code it is" \
	bash -c "[ \"\$(cat '$T/err')\" = 'zvm map: node bad: exit code 3' ]"

# a node that cannot load: 125, named on stderr; its downstream still runs
cat > "$T/load.json" <<JSON
[{"name":"gone","exec":{"path":"missing.nexe"},"connect":["reduce"]},
 {"name":"good","exec":{"path":"$MAPPER"},"devices":[{"name":"stdin","path":"data/fox.txt"}],"connect":["reduce"]},
 {"name":"reduce","exec":{"path":"$REDUCER"},"devices":[{"name":"stdout"}]}]
JSON
"$ZVM" map "$T/load.json" > "$T/out.txt" 2>"$T/err"; rc=$?
check "a load error: exit 125, one line naming the node" \
	bash -c "[ $rc = 125 ] && grep -q '^zvm map: node gone: load error: .*missing.nexe: No such file or directory' '$T/err'"
check "its downstream still counted the other mapper's words" cmp -s "$T/fox.native" "$T/out.txt"

# replicas: deterministic ones agree
cat > "$T/rep.json" <<JSON
[{"name":"map","exec":{"path":"$MAPPER"},"devices":[{"name":"stdin","path":"data/*.txt"}],"connect":["reduce"],"replicate":3},
 {"name":"reduce","exec":{"path":"$REDUCER"},"devices":[{"name":"stdout"}],"replicate":2}]
JSON
"$ZVM" map --report json --report-file "$T/rep.report" "$T/rep.json" > "$T/out.txt" 2>"$T/err"; rc=$?
check "replicate 3 and 2: all agree, same counts, printed once" bash -c "[ $rc = 0 ] && cmp -s '$T/native' '$T/out.txt'"
check "replicas: the report says how many agree" grep -q '"name":"map-1","node_state":"ok","node_exit_status":0,"replicas":3,"replicas_agree":3' "$T/rep.report"

# a replica mismatch, made by different inputs: each replica reads state.txt,
# which the first replica rewrites (the others write into the spool)
cat > "$T/mm.json" <<JSON
[{"name":"grow","exec":{"path":"$LUA","args":["-e","io.write(io.read('a') .. 'x')"]},
  "devices":[{"name":"stdin","path":"state.txt"},{"name":"stdout","path":"state.txt"}],"replicate":3}]
JSON
: > "$T/state.txt"
"$ZVM" map --report json --report-file "$T/mm.report" "$T/mm.json" >/dev/null 2>"$T/err"; rc=$?
check "replica mismatch: exit 120, state and channel named" bash -c "[ $rc = 120 ] &&
	grep -q '^{\"state\":\"replica mismatch\",\"exit_status\":120,.*\"worst_node\":\"grow\"' '$T/mm.report' &&
	grep -q '\"mismatch\":\"/dev/stdout\"' '$T/mm.report'"
check "replica mismatch: one line on stderr names node and channel" \
	grep -q '^zvm map: node grow: replica mismatch on /dev/stdout (2 of 3 replicas agree)$' "$T/err"
check "replica mismatch: the majority's output is kept (xx, not x)" bash -c "[ \"\$(cat '$T/state.txt')\" = xx ]"
sed -i 's/"replicate":3/"replicate":2/' "$T/mm.json"
: > "$T/state.txt"
"$ZVM" map "$T/mm.json" >/dev/null 2>"$T/err"; rc=$?
check "two replicas that disagree: no majority, the first's output kept" \
	bash -c "[ $rc = 120 ] && [ \"\$(cat '$T/state.txt')\" = x ] && grep -q '1 of 2 replicas agree' '$T/err'"

# --dry-run: the nodes and their manifests, nothing run
rm -f "$T/out.d"/*
"$ZVM" map --dry-run "$T/files.json" > "$T/dry" 2>"$T/err"; rc=$?
check "--dry-run: exit 0, one node per file, each with a manifest" bash -c "[ $rc = 0 ] &&
	[ \$(grep -c '^# node copy-[123] (runs [123] of 3; argv\[0\] copy-[123]; replicate 1)$' '$T/dry') = 3 ] &&
	[ \$(grep -c '^Program = $CAT$' '$T/dry') = 3 ]"
check "--dry-run: channels in the manifest format" \
	grep -q "^Channel = $T/data/sea.txt, /dev/stdin, 0, unlimited, unlimited, 0, 0$" "$T/dry"
check "--dry-run ran nothing (no output written)" bash -c "[ -z \"\$(ls '$T/out.d')\" ]"
"$ZVM" map --dry-run examples/wordcount/job.json > "$T/dry" 2>&1
check "--dry-run: edges as spool files, /dev/out/<dst> (a third of the 1 GiB spool cap each) and /dev/in/<src>" bash -c "
	grep -q '^Channel = \$SPOOL/edge-0-3, /dev/out/reduce, 0, 0, 0, unlimited, 357913941$' '$T/dry' &&
	grep -q '^Channel = \$SPOOL/edge-2-3, /dev/in/map-3, 0, unlimited, unlimited, 0, 0$' '$T/dry'"

# a few at a time: the same bytes as one at a time
"$ZVM" map -j 1 "$T/nm.json" > "$T/j1" 2>&1
"$ZVM" map --jobs 4 "$T/nm.json" > "$T/j4" 2>&1
check "--jobs 4 and --jobs 1 print the same bytes" bash -c "[ -s '$T/j1' ] && cmp -s '$T/j1' '$T/j4'"
"$ZVM" map -j 0 "$T/nm.json" >/dev/null 2>&1; check "--jobs 0: exit 2" test $? = 2

# stopping the map: SIGTERM kills the running cells, removes the spool, ends by the signal
cat > "$T/spin.json" <<JSON
[{"name":"spin","exec":{"path":"$LUA","args":["-e","local f = io.open('/dev/output', 'w') f:setvbuf('no') local i = 0 while true do i = i + 1 if i % 20000 == 0 then f:write('.') end end"]},
  "devices":[{"name":"output","path":"spin.out"}],"connect":["after"]},
 {"name":"after","exec":{"path":"$CAT"},"devices":[{"name":"stdout","path":"after.out"}]}]
JSON
"$ZVM" map "$T/spin.json" >/dev/null 2>&1 & zpid=$!
for _ in $(seq 50); do [ -s "$T/spin.out" ] && break; sleep 0.1; done
t0=$(date +%s%N); kill -TERM $zpid; wait $zpid; rc=$?; t1=$(date +%s%N)
s1=$(stat -c %s "$T/spin.out"); sleep 0.5; s2=$(stat -c %s "$T/spin.out")
check "SIGTERM: zvm map ends by it (143) at once" bash -c "[ $rc = 143 ] && [ $(( (t1 - t0) / 1000000 )) -lt 2000 ]"
check "SIGTERM: the running cell was killed too (its output stopped growing: $s1 -> $s2 bytes)" \
	bash -c "[ $s1 -gt 0 ] && [ $s1 = $s2 ]"
check "SIGTERM: the spool is removed, the next node never ran" bash -c "[ -z \"\$(ls '$T/tmp')\" ] && [ ! -e '$T/after.out' ]"

# --root: swift://account/container/object
mkdir -p "$T/root/bin" "$T/root/text"
cp "$CAT" "$T/root/bin/cat.nexe"
printf 'from swift\n' > "$T/root/text/a.txt"
cat > "$T/swift.json" <<'JSON'
[{"name":"c","exec":{"path":"swift://acct/bin/cat.nexe"},"devices":[{"name":"stdin","path":"swift://acct/text/*.txt"},{"name":"stdout"}]}]
JSON
check "--root maps swift://account/container/object to DIR/container/object" \
	bash -c "[ \"\$('$ZVM' map --root '$T/root' '$T/swift.json')\" = 'from swift' ]"
"$ZVM" map "$T/swift.json" >/dev/null 2>"$T/err"; rc=$?
check "swift:// without --root: 125 and why" bash -c "[ $rc = 125 ] && grep -q 'needs --root' '$T/err'"

# bad maps: nothing runs, the file and the JSON path named
bad() { # what json message
	printf '%s' "$2" > "$T/job.json"
	"$ZVM" map "$T/job.json" >/dev/null 2>"$T/err"; local rc=$?
	check "bad map: $1" bash -c "[ $rc = 125 ] && [ \"\$(cat '$T/err')\" = \"zvm map: $T/job.json: $3\" ]"
}
bad "no match" '[{"name":"m","exec":{"path":"p"},"devices":[{"name":"stdin","path":"in/*.txt"}]}]' \
	"[0].devices[0].path: no file matches 'in/*.txt' (No such file or directory)"
bad "unknown key" '[{"name":"m","exec":{"path":"p"},"cnt":2}]' \
	"[0]: unknown key 'cnt' (known: name, exec, devices, count, connect, replicate, limits, stream)"
bad "cycle" '[{"name":"a","exec":{"path":"p"},"connect":["b"]},{"name":"b","exec":{"path":"p"},"connect":["a"]}]' \
	"[0].connect: a cycle: a -> b -> a"
bad "duplicate name" '[{"name":"a","exec":{"path":"p"}},{"name":"a","exec":{"path":"p"}}]' \
	"[1].name: duplicate node name 'a' (also [0])"
bad "connect to a missing node" '[{"name":"a","exec":{"path":"p"},"connect":["z"]}]' \
	"[0].connect[0]: no node named 'z'"
bad "JSON syntax" '[{"name":"a",}]' "line 1, column 14: string or '}' expected near '}'"
bad "over the node limit" '[{"name":"a","exec":{"path":"p"},"count":1025}]' "[0].count: 1025 is outside 1..1024"
"$ZVM" map "$T/nothere.json" >/dev/null 2>"$T/err"; rc=$?
check "a missing map file: 125, named" bash -c "[ $rc = 125 ] && grep -q 'nothere.json: No such file or directory' '$T/err'"
"$ZVM" map --help | grep -q '^usage: zvm map'; check "zvm map --help" test $? = 0
"$ZVM" map >/dev/null 2>&1; check "zvm map without a map: exit 2" test $? = 2
"$ZVM" map --report xml "$T/nm.json" >/dev/null 2>&1; check "zvm map --report xml: exit 2" test $? = 2
check "no spool left behind by any of these" bash -c "[ -z \"\$(ls '$T/tmp')\" ]"
