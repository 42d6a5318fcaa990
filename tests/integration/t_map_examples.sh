#!/bin/bash
# The map examples (docs/system-map.md, "The examples") as shipped, run from
# the repository root, each against the native tools on the same data: the
# corpus and its shards; the word count over it in C and in Lua (and the Lua
# mapper partitioning words as the C one does); grep -> sort -> uniq; the
# sharded sort; the replicated node and its report. TAP.
set -u
source "$(dirname "$0")/../lib.sh"
CORPUS=$BUILD/examples/corpus
MAPPER=$PWD/$BUILD/examples/wordcount/mapper.nexe
REDUCER=$PWD/$BUILD/examples/wordcount/reducer.nexe
LUA=$PWD/$BUILD/lua.nexe
for f in "$ZVM" "$MAPPER" "$REDUCER" "$LUA" "$CORPUS/files.txt" "$CORPUS/shard-01.txt" \
	"$BUILD"/examples/pipeline/{grep,sort,uniq}.nexe "$BUILD/examples/sharded-sort/merge.nexe"; do
	[ -e "$f" ] || { skip "$f not built (make)"; exit 0; }
done
# the job.json files name their images and the corpus under build/
[ "$BUILD" = build ] || { skip "the examples name build/, not $BUILD"; exit 0; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache TMPDIR=$T/tmp LC_ALL=C
mkdir -p "$T/tmp"
shards=("$CORPUS"/shard-*.txt)

# the corpus: this machine's licenses and copyright files, packed in order
nfiles=$(wc -l < "$CORPUS/files.txt")
check "corpus: more than 100 files, regular and listed in sorted order" bash -c "[ $nfiles -gt 100 ] &&
	cut -f1 '$CORPUS/files.txt' | sort -c && cut -f1 '$CORPUS/files.txt' | while read -r f; do [ -f \"\$f\" ] && [ ! -L \"\$f\" ] || exit 1; done"
check "corpus: 1 to 48 shards (a reducer reads at most 61), numbered without gaps" bash -c "[ ${#shards[@]} -ge 1 ] && [ ${#shards[@]} -le 48 ] &&
	[ -e '$CORPUS/shard-$(printf %02d ${#shards[@]}).txt' ]"
check "corpus: the shards are the files, in order, each ending in a newline" bash -c "
	cut -f1 '$CORPUS/files.txt' | while read -r f; do cat \"\$f\"; [ ! -s \"\$f\" ] || [ -z \"\$(tail -c 1 \"\$f\" | tr -d '\\n')\" ] || echo; done |
	cmp -s - <(cat ${shards[*]})"
check "corpus: every shard ends in a newline (no word runs across two)" bash -c "
	for s in ${shards[*]}; do [ -z \"\$(tail -c 1 \"\$s\" | tr -d '\\n')\" ] || exit 1; done"
before=$(stat -c %Y "$CORPUS/shard-01.txt")
sh examples/corpus-wordcount/make-corpus.sh "$CORPUS" > "$T/out" 2>&1
check "corpus: remade on an unchanged machine, nothing is rewritten" bash -c "[ ! -s '$T/out' ] && [ $before = \$(stat -c %Y '$CORPUS/shard-01.txt') ]"

# the mapper's words are runs of bytes other than space and newline
cat "${shards[@]}" | tr -s ' \n' '\n' | sed '/^$/d' | sort | uniq -c > "$T/native"

"$ZVM" map --report json --report-file "$T/c.report" examples/corpus-wordcount/job.json > "$T/c.out" 2>"$T/err"; rc=$?
check "corpus-wordcount (C): exit 0, nothing on stderr" bash -c "[ $rc = 0 ] && [ ! -s '$T/err' ]"
check "corpus-wordcount (C): byte for byte cat shards | tr -s ' \\n' '\\n' | sort | uniq -c" cmp -s "$T/native" "$T/c.out"
check "corpus-wordcount (C): one mapper per shard, then the reducer" bash -c "
	[ \$(grep -o '\"name\":\"map-[0-9]*\",\"node_state\":\"ok\"' '$T/c.report' | wc -l) = ${#shards[@]} ] &&
	grep -q '\"name\":\"reduce\",\"node_state\":\"ok\"' '$T/c.report'"

"$ZVM" map examples/wordcount-lua/job.json > "$T/l.out" 2>"$T/err"; rc=$?
check "wordcount-lua: exit 0, nothing on stderr" bash -c "[ $rc = 0 ] && [ ! -s '$T/err' ]"
check "wordcount-lua: the same bytes as the C word count" cmp -s "$T/c.out" "$T/l.out"

# the Lua mapper sends each word to the reducer the C mapper sends it to:
# with three C reducers, the outputs (node order) are byte for byte the same
for m in c lua; do
	# (the C mapper takes no script: an argument would name its peers' directory)
	if [ $m = c ]; then exec_="\"path\":\"$MAPPER\""; script=; else
		exec_="\"path\":\"$LUA\",\"args\":\"/dev/script\""
		script=",{\"name\":\"script\",\"path\":\"$PWD/examples/wordcount-lua/mapper.lua\"}"; fi
	cat > "$T/$m.json" <<JSON
[{"name":"map","exec":{$exec_},"devices":[{"name":"stdin","path":"$PWD/$CORPUS/shard-*.txt"}$script],"connect":["reduce"]},
 {"name":"reduce","exec":{"path":"$REDUCER"},"count":3,"devices":[{"name":"stdout"}]}]
JSON
	"$ZVM" map "$T/$m.json" > "$T/$m.3" 2>"$T/err.$m"
done
check "wordcount-lua: its mapper splits words among 3 reducers as the C mapper does" \
	bash -c "[ -s '$T/c.3' ] && cmp -s '$T/c.3' '$T/lua.3' && [ ! -s '$T/err.c' ] && [ ! -s '$T/err.lua' ]"

# the Lua reducer of one mapper named just "map" (/dev/in/map, no -N)
cat "${shards[@]:0:3}" > "$T/three.txt"
cat > "$T/one.json" <<JSON
[{"name":"map","exec":{"path":"$MAPPER"},"devices":[{"name":"stdin","path":"three.txt"}],"connect":["reduce"]},
 {"name":"reduce","exec":{"path":"$LUA","args":"/dev/script"},"devices":[{"name":"script","path":"$PWD/examples/wordcount-lua/reducer.lua"},{"name":"stdout"}]}]
JSON
"$ZVM" map "$T/one.json" > "$T/one.out" 2>"$T/err"; rc=$?
check "wordcount-lua: its reducer reads /dev/in/map when there is one mapper" bash -c "[ $rc = 0 ] &&
	tr -s ' \\n' '\\n' < '$T/three.txt' | sed '/^\$/d' | sort | uniq -c | cmp -s - '$T/one.out'"

"$ZVM" map --report text examples/pipeline/job.json > "$T/p.out" 2>"$T/err"; rc=$?
cat "${shards[@]}" | grep -a -F -- 'License:' | sort | uniq -c > "$T/p.native"
check "pipeline: exit 0, every node ok" bash -c "[ $rc = 0 ] && grep -q '^zvm map: ok, $((${#shards[@]} + 2)) nodes, 0 not ok' '$T/err'"
check "pipeline: grep -> sort -> uniq equals grep -F 'License:' | sort | uniq -c" bash -c "[ -s '$T/p.native' ] && cmp -s '$T/p.native' '$T/p.out'"
printf 'b\na\nb\nno\nb x\n' > "$T/small.txt"
cat > "$T/small.json" <<JSON
[{"name":"grep","exec":{"path":"$PWD/$BUILD/examples/pipeline/grep.nexe","args":"b"},"devices":[{"name":"stdin","path":"small.txt"}],"connect":["sort"]},
 {"name":"sort","exec":{"path":"$PWD/$BUILD/examples/pipeline/sort.nexe"},"connect":["uniq"]},
 {"name":"uniq","exec":{"path":"$PWD/$BUILD/examples/pipeline/uniq.nexe"},"devices":[{"name":"stdout"}]}]
JSON
"$ZVM" map "$T/small.json" > "$T/small.out" 2>&1
check "pipeline: a small case, by hand (b twice, 'b x' once, the rest dropped)" \
	bash -c "[ \"\$(cat '$T/small.out')\" = \"\$(printf '      2 b\\n      1 b x')\" ]"

rm -f "$BUILD/examples/sharded-sort/sorted.txt"
"$ZVM" map examples/sharded-sort/job.json > "$T/out" 2>"$T/err"; rc=$?
check "sharded-sort: exit 0, nothing on stdout or stderr" bash -c "[ $rc = 0 ] && [ ! -s '$T/out' ] && [ ! -s '$T/err' ]"
check "sharded-sort: the merged runs equal sort of all the shards" bash -c "
	sort ${shards[*]} | cmp -s - '$BUILD/examples/sharded-sort/sorted.txt'"
# the merger alone, on runs with equal lines across them and a last line
# without its newline
printf 'a\nc\nc\n' > "$T/r1"; printf 'b\nc\nd' > "$T/r2"; : > "$T/r3"
cat > "$T/merge.json" <<JSON
[{"name":"run","exec":{"path":"$PWD/$BUILD/examples/pipeline/sort.nexe"},"devices":[{"name":"stdin","path":"r*"}],"connect":["merge"]},
 {"name":"merge","exec":{"path":"$PWD/$BUILD/examples/sharded-sort/merge.nexe"},"devices":[{"name":"stdout"}]}]
JSON
"$ZVM" map "$T/merge.json" > "$T/merge.out" 2>&1
check "sharded-sort: the merger on uneven runs (an empty one, a missing newline)" \
	bash -c "[ \"\$(cat '$T/merge.out')\" = \"\$(printf 'a\\nb\\nc\\nc\\nc\\nd')\" ]"

"$ZVM" map --report json --report-file "$T/r.report" examples/replicated/job.json > "$T/r.out" 2>"$T/err"; rc=$?
(cd examples/wordcount/data && cat ./*.txt | tr -s ' ' '\n' | sort | uniq -c) > "$T/r.native"
check "replicated: exit 0, the word count printed once" bash -c "[ $rc = 0 ] && cmp -s '$T/r.native' '$T/r.out'"
check "replicated: the report shows 3 of 3 replicas agree on every node" bash -c "
	grep -q '^{\"state\":\"ok\",\"exit_status\":0,' '$T/r.report' &&
	[ \$(grep -o '\"node_state\":\"ok\",\"node_exit_status\":0,\"replicas\":3,\"replicas_agree\":3' '$T/r.report' | wc -l) = 4 ]"
