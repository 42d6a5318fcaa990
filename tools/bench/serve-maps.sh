#!/bin/bash
# make bench, system maps over HTTP (issue #11, needs root for zvmd): the
# word count example (examples/wordcount: three mappers, one reducer)
# through `zvm map --socket` (the map from files, the images uploaded each
# run) and through zvm serve's POST /v1/maps (inputs inline, images by
# digest), the same zvmd, interleaved run by run; wall milliseconds of the
# whole map per run (the command from exec to exit; the HTTP request from
# curl's connect to its answer, and inside serve from its log), median,
# p10-p90 and the spread (slowest/fastest).
#   tools/bench/serve-maps.sh [--runs N] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/lib.sh
BUILD=${BUILD:-build}
RUNS=40 OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	*) echo "serve-maps.sh: unknown option $1" >&2; exit 2;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "serve-maps.sh: needs root (zvmd builds namespaces and cgroups)" >&2; exit 0; }
for tool in curl jq; do command -v $tool >/dev/null || { echo "serve-maps.sh: $tool missing" >&2; exit 0; }; done
ZVM=$(realpath "$BUILD/bin/zvm")
T=$(mktemp -d)
chmod 755 "$T"
trap '[ -n "${SPID:-}" ] && kill $SPID 2>/dev/null; [ -n "${DPID:-}" ] && kill $DPID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
cat > "$T/zvmd.conf" <<EOF2
pool_size = 4
queue_max = 64
uid_base = 2124000000
gid_base = 2124000000
cgroup_parent = zvm-bench-maps
socket_mode = 0666
EOF2
"$BUILD/bin/zvmd" --config "$T/zvmd.conf" --socket "$T/zvm.sock" 2>"$T/zvmd.log" & DPID=$!
for i in $(seq 50); do "$ZVM" status -s "$T/zvm.sock" 2>/dev/null | grep -q 'warm 4' && break; sleep 0.1; done
TOK=benchbenchbenchbench1
printf '%s bench\n' "$TOK" > "$T/tokens"
printf 'rate = 100000\nburst = 100000\ncpu_per_minute = 100000\n' > "$T/serve.conf"
PORT=$((20000 + RANDOM % 20000)) URL=http://127.0.0.1:$PORT
"$ZVM" serve --config "$T/serve.conf" --listen 127.0.0.1:$PORT --socket "$T/zvm.sock" --tokens "$T/tokens" \
	--user nobody 2>"$T/serve.log" > /dev/null & SPID=$!
for i in $(seq 50); do curl -s -o /dev/null "$URL/v1/status" && break; sleep 0.1; done
up() { curl -s -H "Authorization: Bearer $TOK" --data-binary @"$1" "$URL/v1/images" | jq -r .digest; }
DM=$(up "$BUILD/examples/wordcount/mapper.nexe") DR=$(up "$BUILD/examples/wordcount/reducer.nexe")
nodes='[]'
for f in examples/wordcount/data/*.txt; do
	nodes=$(jq -c --arg n "map-$(basename "$f" .txt)" --arg d "$DM" --rawfile c "$f" \
		'. + [{name: $n, exec: {digest: $d}, devices: [{name: "stdin", content: $c}], connect: ["reduce"]}]' <<< "$nodes")
done
jq -cn --argjson m "$nodes" --arg d "$DR" '{map: ($m + [{name: "reduce", exec: {digest: $d}, devices: [{name: "stdout"}]}])}' > "$T/map.json"
now() { date +%s%N; }
"$ZVM" map -s "$T/zvm.sock" examples/wordcount/job.json > "$T/want"
curl -s -H "Authorization: Bearer $TOK" --data-binary @"$T/map.json" "$URL/v1/maps" | jq -j '.nodes[3].outputs.stdout.content' > "$T/got"
cmp -s "$T/want" "$T/got" || { echo "serve-maps.sh: /v1/maps and zvm map disagree" >&2; exit 1; }
for i in $(seq "$RUNS"); do
	a=$(now); "$ZVM" map -s "$T/zvm.sock" examples/wordcount/job.json > /dev/null; b=$(now)
	# curl's own connect-to-answer time: not its process start
	curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOK" --data-binary @"$T/map.json" \
		"$URL/v1/maps" | awk '{printf "%.3f\n", $1 * 1000}' >> "$T/http"
	calc '"%.3f\n", ('"$b"' - '"$a"') / 1e6' >> "$T/cli"
done
# serve's own time for each of those requests, from its log line ("... 200 BYTES MS ms")
grep 'POST /v1/maps 200' "$T/serve.log" | tail -n "$RUNS" | awk '{print $(NF-1)}' > "$T/inserve"
pct() { sort -n "$1" | awk -v p="$2" '{a[NR] = $1} END {i = int(NR * p + 0.5); if (i < 1) i = 1; print a[i]}'; }
row() { printf '| %s | %.1f | %.1f-%.1f | %sx |\n' "$1" "$(median < "$2")" "$(pct "$2" 0.1)" "$(pct "$2" 0.9)" "$(spread "$2")"; }
{
	echo "System maps over HTTP: the word count (3 mappers, 1 reducer), $RUNS runs each, interleaved, one zvmd (pool 4)."
	echo "Command: \`tools/bench/serve-maps.sh --runs $RUNS\`; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')."
	echo
	echo "| the map through | median ms | p10-p90 ms | spread |"
	echo "|---|---:|---:|---:|"
	row "\`zvm map --socket\` (files; 2 uploads a run), the command's exec to exit" "$T/cli"
	row "\`POST /v1/maps\` (inline; by digest), curl's connect to answer" "$T/http"
	row "\`POST /v1/maps\`, inside zvm serve (its log: request to answer)" "$T/inserve"
} | tee ${OUT:+"$OUT"}
