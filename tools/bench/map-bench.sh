#!/bin/bash
# make bench, system-map part (issue #9, docs/system-map.md), side by side in
# one run, ROUNDS interleaved rounds (the order flips every round), medians:
#
# 1. The word count (examples/wordcount: mapper.c, reducer.c) over MB MiB of
#    the machine's own text (/usr/share/common-licenses/* and
#    /usr/share/doc/*/copyright, repeated, cut at a line end, split by lines
#    into 8 parts; 1, 2 and 4 mappers read 8/k consecutive parts each) with
#    1, 2, 4 and 8 mappers and one reducer:
#    - `zvm map` (local, one-shot cells, -j default), the example's map shape;
#    - the same C built natively with gcc -O2 (glibc) and with musl-gcc -O2
#      -static (the cell's libc without SFI and ZRT), run as processes joined
#      by FIFOs (the programs take the directory of their peers as argument);
#    - `LC_ALL=C tr -cs A-Za-z '\n' | sort | uniq -c` on the same bytes (a
#      different word definition: letters only; timed, not compared).
#    The outputs of zvm map and the native pipes must be byte-identical.
#    Wall and CPU time of every run; then the mapper and the reducer alone.
# 2. One edge: a node writing EDGE_MB MiB to one peer that reads and discards
#    it (tools/bench/map-edge-write.c, map-edge-read.c), against the same
#    programs natively over a FIFO and over a file (what zvm map's spool is),
#    and `head -c N /dev/zero | cat > /dev/null`.
# 3. A map of 100 trivial nodes (hello.nexe): locally, the whole map's wall.
# 4. Through zvmd (`zvm map --socket`, only if `zvm map --help` lists it;
#    root): the word count and the time from submit to all 100 nodes
#    running (max over nodes of the reports' queue_seconds + handout_seconds).
#   tools/bench/map-bench.sh [--rounds N] [--mb MB] [--edge-mb MB] [--out FILE]
#   (defaults: 7 rounds, 100 MiB of text, an edge of 512 MiB)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ROUNDS=7 MB=100 EDGE_MB=512 OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) ROUNDS=$2; shift 2;;
	--mb) MB=$2; shift 2;;
	--edge-mb) EDGE_MB=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	-h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
	*) echo "map-bench.sh: unknown option $1 (see --help)" >&2; exit 2;;
	esac
done
for v in "$ROUNDS" "$MB" "$EDGE_MB"; do
	[ "$v" -ge 1 ] 2>/dev/null || { echo "map-bench.sh: --rounds, --mb and --edge-mb want positive numbers" >&2; exit 2; }
done
ZVM=$BUILD/bin/zvm ZVMCC=$BUILD/bin/zvm-cc
ABS=$(cd "$BUILD" && pwd) # the maps name their images by absolute path
MAPPER=$ABS/examples/wordcount/mapper.nexe REDUCER=$ABS/examples/wordcount/reducer.nexe
HELLO=$ABS/examples/hello.nexe
for f in "$ZVM" "$ZVMCC" "$MAPPER" "$REDUCER" "$HELLO"; do
	[ -e "$f" ] || { echo "map-bench.sh: $f not built (make all)" >&2; exit 1; }
done
for c in jq musl-gcc; do
	command -v $c >/dev/null || { echo "map-bench.sh: $c not installed (make deps)" >&2; exit 1; }
done
T=$(mktemp -d)
trap '[ -n "${DPID:-}" ] && kill $DPID 2>/dev/null; rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache ZVM_RUNTIME_DIR=$BUILD/runtime ZVM_LIBC=musl LC_ALL=C
mkdir -p "$T/spool"
export TMPDIR=$T/spool # zvm map's spool: on the same file system as the data
log() { echo "map-bench: $*" >&2; }
now() { echo "${EPOCHREALTIME/./}"; }
source tools/bench/lib.sh # median, calc, spread
sec() { calc "\"%.3f\", $1 / 1e6"; } # microseconds -> seconds
med() { median < "$T/t.$1"; }        # the median of one series
cpu() { # CPU_US: the CPU time (user + system) of every child this shell has waited for
	local l u s
	times > "$T/times" # in this shell: in a subshell, $(times) would count the subshell's own children
	{ read -r l; read -r u s; } < "$T/times"
	CPU_US=$(awk -v u="$u" -v s="$s" 'function us(t,  m) { m = t; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", t)
		sub(/s$/, "", t); return (m * 60 + t) * 1e6 } BEGIN { printf "%.0f", us(u) + us(s) }')
}
timed() { # series, command...: runs it, appends its wall time (us) to t.series, its CPU time to c.series
	local s=$1 a b c0 rc=0; shift
	cpu; c0=$CPU_US; a=$(now); "$@" || rc=$?; b=$(now); cpu
	echo $((b - a)) >> "$T/t.$s"
	echo $((CPU_US - c0)) >> "$T/c.$s"
	return $rc # under set -e a failure still ends the script, unless the caller tests it
}
cmed() { median < "$T/c.$1"; }       # the median CPU time of one series

# ---- the corpus --------------------------------------------------------------
log "corpus: $MB MiB of /usr/share/common-licenses and /usr/share/doc/*/copyright"
ls /usr/share/common-licenses/* /usr/share/doc/*/copyright 2>/dev/null | sort | xargs cat 2>/dev/null > "$T/base" || true
[ -s "$T/base" ] || { echo "map-bench.sh: no text in /usr/share/common-licenses or /usr/share/doc" >&2; exit 1; }
BYTES=$((MB * 1048576)) NBASE=$(stat -c %s "$T/base")
# (head ends the loop early: its SIGPIPE is expected)
{ for _ in $(seq $(((BYTES + NBASE - 1) / NBASE))); do cat "$T/base"; done || true; } | head -c "$BYTES" | sed '$d' > "$T/corpus"
mkdir -p "$T/parts" && split -n l/8 -d -a 1 "$T/corpus" "$T/parts/p"
mkdir -p "$T/d1" "$T/d8" && ln "$T/corpus" "$T/d1/in-1.txt" # hard links: 200 MB less to write
for p in $(seq 0 7); do ln "$T/parts/p$p" "$T/d8/in-$((p + 1)).txt"; done
for k in 2 4; do # layout k: k files, in-i = parts (i-1)*8/k .. i*8/k-1
	mkdir -p "$T/d$k"
	for i in $(seq "$k"); do
		for p in $(seq $(((i - 1) * 8 / k)) $((i * 8 / k - 1))); do cat "$T/parts/p$p"; done > "$T/d$k/in-$i.txt"
	done
done
CORPUS_BYTES=$(stat -c %s "$T/corpus") CORPUS_FILES=$(ls /usr/share/common-licenses/* /usr/share/doc/*/copyright 2>/dev/null | wc -l)

# ---- the programs ------------------------------------------------------------
gcc -O2 -o "$T/mapper.glibc" examples/wordcount/mapper.c
gcc -O2 -o "$T/reducer.glibc" examples/wordcount/reducer.c
musl-gcc -O2 -static -o "$T/mapper.musl" examples/wordcount/mapper.c
musl-gcc -O2 -static -o "$T/reducer.musl" examples/wordcount/reducer.c
gcc -O2 -o "$T/ew" tools/bench/map-edge-write.c
gcc -O2 -o "$T/er" tools/bench/map-edge-read.c
"$ZVMCC" -O2 tools/bench/map-edge-write.c -o "$T/ew.nexe"
"$ZVMCC" -O2 tools/bench/map-edge-read.c -o "$T/er.nexe"
for n in "$MAPPER" "$REDUCER" "$HELLO" "$T/ew.nexe" "$T/er.nexe"; do "$ZVM" validate --cache "$n" >/dev/null; done

# ---- the maps ----------------------------------------------------------------
for k in 1 2 4 8; do
	cat > "$T/wc$k.json" <<JSON
[{"name":"map","exec":{"path":"$MAPPER"},"devices":[{"name":"stdin","path":"$T/d$k/*.txt"}],"connect":["reduce"]},
 {"name":"reduce","exec":{"path":"$REDUCER"},"devices":[{"name":"stdout"}]}]
JSON
	# the FIFOs of the native pipes: reducer reads in/map-i, mapper i writes out-i/reduce (the same FIFO)
	mkdir -p "$T/f$k/in"
	for i in $(seq "$k"); do
		mkfifo "$T/f$k/in/map-$i" && mkdir -p "$T/f$k/out-$i" && ln "$T/f$k/in/map-$i" "$T/f$k/out-$i/reduce"
	done
done
cat > "$T/edge.json" <<JSON
[{"name":"w","exec":{"path":"$T/ew.nexe","args":"$EDGE_MB"},"connect":["r"]},
 {"name":"r","exec":{"path":"$T/er.nexe"},"devices":[{"name":"stdout"}]}]
JSON
cat > "$T/hundred.json" <<JSON
[{"name":"n","exec":{"path":"$HELLO"},"count":100}]
JSON
mkdir -p "$T/rin" && "$T/mapper.glibc" < "$T/corpus" > "$T/rin/map" # the reducer's input when it runs alone
mkdir -p "$T/fe/in" "$T/fe/out" "$T/file/out" && mkfifo "$T/fe/in/w" && ln "$T/fe/in/w" "$T/fe/out/r"

zmap() { # k, output, report: the word count map
	"$ZVM" map --report json --report-file "$3" "$T/wc$1.json" > "$2"
}
native() { # libc, k, output: mappers and the reducer as processes joined by FIFOs
	local pids=() p
	"$T/reducer.$1" "$T/f$2/in" > "$3" & pids+=($!)
	for i in $(seq "$2"); do "$T/mapper.$1" "$T/f$2/out-$i" < "$T/d$2/in-$i.txt" & pids+=($!); done
	for p in "${pids[@]}"; do wait "$p"; done
}
trsort() { tr -cs A-Za-z '\n' < "$T/corpus" | sort | uniq -c > "$T/out.tr"; }
edge_zvm() { "$ZVM" map --report json --report-file "$T/edge.report" "$T/edge.json" > "$T/edge.out"; }
edge_fifo() { "$T/ew" "$EDGE_MB" "$T/fe/out" & local p=$!; "$T/er" "$T/fe/in" > "$T/edge.out"; wait $p; }
edge_file() { : > "$T/file/out/r"; "$T/ew" "$EDGE_MB" "$T/file/out"; "$T/er" "$T/file/out" > "$T/edge.out"; }
edge_pipe() { head -c "${EDGE_MB}M" /dev/zero | cat > /dev/null; }
node_sum() { # report, jq expression over one node: the sum over the map's nodes
	jq "[.nodes[] | $2] | add" "$1"
}

# ---- the rounds --------------------------------------------------------------
LOAD0=$(cut -d' ' -f1 /proc/loadavg)
log "$ROUNDS rounds (word count: 1, 2, 4, 8 mappers; one edge of $EDGE_MB MiB; 100 trivial nodes)"
for r in $(seq "$ROUNDS"); do
	log "round $r"
	for k in 1 2 4 8; do
		if [ $((r % 2)) = 1 ]; then order="zvm glibc musl"; else order="musl glibc zvm"; fi
		for w in $order; do
			case $w in
			zvm) timed "zvm$k" zmap "$k" "$T/out.zvm$k" "$T/report$k.$r";;
			*) timed "$w$k" native "$w" "$k" "$T/out.$w$k";;
			esac
		done
		cmp -s "$T/out.zvm$k" "$T/out.glibc$k" && cmp -s "$T/out.zvm$k" "$T/out.musl$k" && cmp -s "$T/out.zvm$k" "$T/out.zvm1" ||
			{ echo "map-bench.sh: $k mappers: zvm map and the native pipes disagree" >&2; exit 1; }
		# per-node times from the cells' own reports: wall and cpu summed over the mappers, the reducer's, validation
		jq -r '[([.nodes[] | select(.name != "reduce") | .wall_seconds] | add),
			([.nodes[] | select(.name != "reduce") | .cpu_user_seconds + .cpu_system_seconds] | add),
			(.nodes[] | select(.name == "reduce") | .wall_seconds),
			([.nodes[] | .validation_seconds] | add), .wall_seconds] | @tsv' "$T/report$k.$r" >> "$T/nodes$k"
	done
	timed tr trsort
	# the parts alone, one process each: the mapper over the whole corpus, the reducer over one mapper's output
	for w in glibc musl zvm; do
		case $w in
		zvm) timed m_zvm "$ZVM" run --report none "$MAPPER" < "$T/corpus" > /dev/null;;
		*) timed "m_$w" "$T/mapper.$w" < "$T/corpus" > /dev/null; timed "r_$w" "$T/reducer.$w" "$T/rin" > /dev/null;;
		esac
	done
	if [ $((r % 2)) = 1 ]; then order="zvm fifo file pipe"; else order="pipe file fifo zvm"; fi
	for w in $order; do
		timed "edge_$w" "edge_$w"
		[ "$w" = pipe ] || [ "$(cat "$T/edge.out")" = $((EDGE_MB * 1048576)) ] ||
			{ echo "map-bench.sh: edge ($w): the reader did not get $EDGE_MB MiB" >&2; exit 1; }
		[ "$w" != zvm ] || jq -r '[.nodes[] | .wall_seconds, .cpu_user_seconds + .cpu_system_seconds] | @tsv' "$T/edge.report" >> "$T/edgenodes"
	done
	timed hundred "$ZVM" map "$T/hundred.json" > /dev/null
done
LOAD1=$(cut -d' ' -f1 /proc/loadavg)

# ---- the tables --------------------------------------------------------------
col() { cut -f"$2" "$1" | median; } # the median of one column of a tab-separated file
{
echo "Command: \`make bench\` (\`tools/bench/map-bench.sh --rounds $ROUNDS --mb $MB --edge-mb $EDGE_MB\`), $(date -u '+%Y-%m-%d %H:%M') UTC."
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), gcc $(gcc -dumpversion). Load average (1 min): $LOAD0 at the start, $LOAD1 at the end."
echo
echo "### Word count, $CORPUS_BYTES bytes ($CORPUS_FILES license and copyright files, repeated), one reducer ($ROUNDS interleaved rounds, medians, seconds)"
echo
echo "| mappers | \`zvm map\` | native pipes, gcc -O2 (glibc) | ratio | native pipes, musl-gcc -O2 | ratio | \`tr -cs A-Za-z '\\n' \\| sort \\| uniq -c\` |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
wc_rows() { # med or cmed: one row per mapper count
	local Z G M TR
	TR=$($1 tr)
	for k in 1 2 4 8; do
		Z=$($1 "zvm$k") G=$($1 "glibc$k") M=$($1 "musl$k")
		printf '| %s | %s | %s | **%s** | %s | %s | %s |\n' "$k" "$(sec "$Z")" "$(sec "$G")" "$(calc "\"%.3f\", $Z / $G")" \
			"$(sec "$M")" "$(calc "\"%.3f\", $Z / $M")" "$(sec "$TR")"
	done
}
wc_rows med
echo
echo "The same runs' CPU time (user + system, every process of the run; medians, seconds): on a shared machine the steadier measure."
echo
echo "| mappers | \`zvm map\` | native pipes, glibc | ratio | native pipes, musl | ratio | tr, sort, uniq |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
wc_rows cmed
echo
echo "Inside \`zvm map\`, from the nodes' own reports (medians, seconds; the mappers run at most $(nproc) at once, \`-j\` default):"
echo
echo "| mappers | mappers' wall, summed | mappers' cpu, summed | reducer's wall | validation, all nodes | the job's wall |"
echo "|---:|---:|---:|---:|---:|---:|"
for k in 1 2 4 8; do
	printf '| %s | %.3f | %.3f | %.3f | %.3f | %.3f |\n' "$k" "$(col "$T/nodes$k" 1)" "$(col "$T/nodes$k" 2)" \
		"$(col "$T/nodes$k" 3)" "$(col "$T/nodes$k" 4)" "$(col "$T/nodes$k" 5)"
done
echo
echo "The parts alone, one process each (CPU s, medians): the mapper over the whole corpus (a cell: \`zvm run\`), the reducer over one mapper's output (a cell: the reducer's node in the 1-mapper map):"
echo
echo "| part | gcc -O2 (glibc) | musl-gcc -O2 | cell | cell / glibc | cell / musl |"
echo "|---|---:|---:|---:|---:|---:|"
G=$(cmed m_glibc) M=$(cmed m_musl) Z=$(cmed m_zvm)
printf '| mapper | %s | %s | %s | %s | %s |\n' "$(sec "$G")" "$(sec "$M")" "$(sec "$Z")" "$(calc "\"%.3f\", $Z / $G")" "$(calc "\"%.3f\", $Z / $M")"
G=$(cmed r_glibc) M=$(cmed r_musl) Z=$(jq -r '.nodes[] | select(.name == "reduce") | .cpu_user_seconds + .cpu_system_seconds' "$T"/report1.* | median)
printf '| reducer | %s | %s | %.3f | %s | %s |\n' "$(sec "$G")" "$(sec "$M")" "$Z" "$(calc "\"%.3f\", $Z * 1e6 / $G")" "$(calc "\"%.3f\", $Z * 1e6 / $M")"
echo
echo "### One edge: $EDGE_MB MiB from one node to another ($ROUNDS interleaved rounds, medians)"
echo
echo "| how | wall s | MiB/s | CPU s |"
echo "|---|---:|---:|---:|"
for w in "zvm:\`zvm map\`, writer -> reader (the whole map: two cells, the edge spooled in a file)" \
	"fifo:the same programs natively, over a FIFO" \
	"file:the same programs natively, writer then reader over a file (what the spool does)" \
	"pipe:\`head -c ${EDGE_MB}M /dev/zero \\| cat > /dev/null\`"; do
	V=$(med "edge_${w%%:*}")
	printf '| %s | %s | %s | %s |\n' "${w#*:}" "$(sec "$V")" "$(calc "\"%.0f\", $EDGE_MB / ($V / 1e6)")" "$(sec "$(cmed "edge_${w%%:*}")")"
done
for n in "1:the writer cell" "3:the reader cell"; do
	V=$(col "$T/edgenodes" "${n%%:*}") C=$(col "$T/edgenodes" $((${n%%:*} + 1)))
	printf '| in the map: %s alone (its report) | %.3f | %s | %.3f |\n' "${n#*:}" "$V" "$(calc "\"%.0f\", $EDGE_MB / $V")" "$C"
done
SHA=$(openssl speed -seconds 1 -bytes 65536 -evp sha256 2>/dev/null | tail -1 | awk '{sub(/k$/, "", $2); print $2}')
[ -z "$SHA" ] || printf '| SHA-256 alone, 64 KiB blocks (`openssl speed -evp sha256`: what the report digests every written byte with) | | %s | |\n' \
	"$(calc "\"%.0f\", $SHA * 1000 / 1048576")"
echo
echo "### A map of 100 trivial nodes (hello.nexe, \`count: 100\`), locally"
echo
echo "\`zvm map\` start to end, median of $ROUNDS: $(sec "$(med hundred)") s ($(calc "\"%.2f\", $(med hundred) / 100 / 1e3") ms per node, at most $(nproc) at once); CPU $(sec "$(cmed hundred)") s."
} > "$T/out.md"

# ---- through zvmd ------------------------------------------------------------
# (the output captured first: a grep -q that ends early would SIGPIPE zvm, and pipefail fail the test)
warm() { [[ "$("$ZVM" status -s "$T/zvm.sock" 2>/dev/null)" == *"warm 100"* ]]; }
if [[ "$("$ZVM" map --help 2>&1)" != *--socket* ]]; then
	printf '\n### Through zvmd\n\nSkipped: `zvm map --help` lists no --socket in this build.\n' >> "$T/out.md"
elif [ "$(id -u)" != 0 ]; then
	printf '\n### Through zvmd\n\nSkipped: zvmd needs root.\n' >> "$T/out.md"
else
	log "through zvmd: a pool of 100"
	"$BUILD/bin/zvmd" --pool 100 --socket "$T/zvm.sock" 2>"$T/zvmd.log" & DPID=$!
	for _ in $(seq 300); do warm && break; sleep 0.1; done
	smap() { "$ZVM" map --socket "$T/zvm.sock" --report json --report-file "$3" "$T/wc$1.json" > "$2"; }
	# A new path: a failure here is reported in the table, it does not end make bench.
	zfail=""
	for r in $(seq "$ROUNDS"); do
		for k in 1 2 4 8; do
			timed "sock$k" smap "$k" "$T/out.sock$k" "$T/sreport$k" || { zfail="zvm map --socket failed ($k mappers; $(tail -1 "$T/zvmd.log" 2>/dev/null))"; break 2; }
			timed "loc$k" zmap "$k" "$T/out.zvm$k" "$T/report$k"
			cmp -s "$T/out.sock$k" "$T/out.zvm$k" || { zfail="$k mappers: zvm map --socket and zvm map printed different counts"; break 2; }
		done
		# wait for the pool to be full again, then time 100 nodes to all running
		for _ in $(seq 300); do warm && break; sleep 0.1; done
		timed shundred "$ZVM" map --socket "$T/zvm.sock" --report json --report-file "$T/h.report" "$T/hundred.json" > /dev/null ||
			{ zfail="the 100-node map through zvmd failed"; break; }
		v=$(jq '[.nodes[] | select(has("queue_seconds")) | .queue_seconds + .handout_seconds] | if length == 100 then max else "missing" end' "$T/h.report")
		[ "$v" != '"missing"' ] || { zfail="the 100-node map's report lacks queue_seconds/handout_seconds for some nodes"; break; }
		echo "$v" >> "$T/allrun"
	done
	{
	echo
	echo "### Through zvmd (a pool of 100; $ROUNDS interleaved rounds, medians, seconds)"
	echo
	if [ -n "$zfail" ]; then
		echo "Not measured: $zfail."
	else
		echo "| mappers | \`zvm map --socket\` | \`zvm map\` (local) | ratio | CPU of the client, \`--socket\` |"
		echo "|---:|---:|---:|---:|---:|"
		for k in 1 2 4 8; do
			S=$(med "sock$k") L=$(med "loc$k")
			printf '| %s | %s | %s | %s | %s |\n' "$k" "$(sec "$S")" "$(sec "$L")" "$(calc "\"%.3f\", $S / $L")" "$(sec "$(cmed "sock$k")")"
		done
		echo
		echo "100 trivial nodes through zvmd: submit to all nodes running (max over nodes of queue + hand-out seconds) median $(calc "\"%.1f\", $(median < "$T/allrun") * 1e3") ms, max $(calc "\"%.1f\", $(sort -g "$T/allrun" | tail -1) * 1e3") ms (target: under 50 ms); the whole map, submit to report, $(sec "$(med shundred)") s."
	fi
	} >> "$T/out.md"
	kill -TERM $DPID; wait $DPID 2>/dev/null || true; DPID=
fi
cat "$T/out.md"
[ -z "$OUT" ] || cp "$T/out.md" "$OUT"
