#!/bin/bash
# tools/bench/swift.sh [--runs R] [--out FILE] — the word count over N
# objects in Swift (the rig, integrations/swift/rig.sh), N = 10 and 100, the
# same 17 MB corpus split N ways, a mapper per object into a reducer per
# group of at most 50 objects (a cell reads at most 61 edges; N = 100 is two
# groups, two count tables): run data-locally (one POST; each mapper on an
# object server holding its object, docs/swift.md) against downloading the
# objects to the client (`swift download`) and running the same map there
# (`zvm map`). Both print the same bytes (checked). Medians of R runs with
# the spread (slowest / fastest), and the bytes that crossed the network,
# every hop: data-local, what the proxy sent to and got from object servers
# (X-Zvm-Network-Bytes: requests, edges both ways, answers) plus the answer
# to the client; download, the objects from object servers to the proxy and
# from the proxy to the client. Root (zvmd).
set -eu
cd "$(dirname "$0")/../.."
. tools/bench/lib.sh
BUILD=${BUILD:-build}
RUNS=5 OUT=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h|--help) sed -n '2,12p' "$0" | sed 's/^# \?//'; exit 0 ;;
	*) echo "swift.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
PY=/usr/bin/python3
ZVM=$BUILD/bin/zvm
MAPPER=$BUILD/examples/wordcount/mapper.nexe
CORPUS=$BUILD/examples/corpus
[ -e "$CORPUS/shard-01.txt" ] || { echo "swift.sh: $CORPUS is missing: run make" >&2; exit 1; }
T=$(mktemp -d)
export ZVM_SWIFT_RIG=$T/rig LC_ALL=C
trap 'integrations/swift/rig.sh stop >/dev/null 2>&1; rm -rf "$T"' EXIT
eval "$(integrations/swift/rig.sh start)"
sw() { swift -A "$ZVM_SWIFT_URL/auth/v1.0" -U "$ZVM_SWIFT_USER" -K "$ZVM_SWIFT_KEY" "$@"; }
TOKEN=$(sw auth | sed -n 's/.*OS_AUTH_TOKEN=//p')
sw upload --object-name mapper.nexe bin "$MAPPER" >/dev/null
sw upload --object-name reducer.nexe bin "$BUILD/examples/wordcount/reducer.nexe" >/dev/null
now() { date +%s.%N; }

table="| N objects | nodes (data-local) | data-local: median s (spread) | download + zvm map: median s (spread) | data-local: bytes over the network | download: bytes over the network |
|---:|---:|---:|---:|---:|---:|"
for N in 10 100; do
	mkdir -p "$T/src$N"
	cat "$CORPUS"/shard-*.txt | $PY -c "
import sys
data = sys.stdin.buffer.read()
n = $N
pos = 0
for i in range(n):
    end = len(data) if i == n - 1 else data.find(b'\n', (i + 1) * len(data) // n) + 1
    open('$T/src$N/g%d-%03d.txt' % (i // 50 + 1, i + 1), 'wb').write(data[pos:end])
    pos = end"
	(cd "$T/src$N" && sw upload "c$N" . >/dev/null)
	groups=$(( (N + 49) / 50 ))
	mapjson() { # IMAGE-DIR DATA-PREFIX
		local g sep=""
		echo "["
		for g in $(seq $groups); do
			printf '%s{"name": "map%s", "exec": {"path": "%s/mapper.nexe"}, "devices": [{"name": "stdin", "path": "%sg%s-*.txt"}], "connect": ["reduce%s"]},\n' "$sep" $g "$1" "$2" $g $g
			printf ' {"name": "reduce%s", "exec": {"path": "%s/reducer.nexe"}, "devices": [{"name": "stdout"}]}\n' $g "$1"
			sep=","
		done
		echo "]"
	}
	mapjson swift://AUTH_test/bin "swift://AUTH_test/c$N/" > "$T/remote$N.json"
	mapjson "$PWD/$BUILD/examples/wordcount" dl/ > "$T/local$N.json"
	# a warm-up of each (images in zvmd's and zvm's caches)
	curl -s -o /dev/null -X POST -H "X-Auth-Token: $TOKEN" -H 'X-Zvm-Execute: 1' --data-binary @"$T/remote$N.json" "$ZVM_SWIFT_URL/v1/AUTH_test"
	: > "$T/r$N" ; : > "$T/l$N"
	for r in $(seq "$RUNS"); do
		t0=$(now)
		curl -s -o "$T/out-remote" -D "$T/h" -X POST -H "X-Auth-Token: $TOKEN" -H 'X-Zvm-Execute: 1' \
			--data-binary @"$T/remote$N.json" "$ZVM_SWIFT_URL/v1/AUTH_test"
		t1=$(now)
		calc "\"%.4f\\n\", $t1 - $t0" >> "$T/r$N"
		rm -rf "$T/dl"; mkdir "$T/dl"
		t0=$(now)
		(cd "$T/dl" && sw download "c$N" >/dev/null)
		(cd "$T" && "$OLDPWD/$ZVM" map "local$N.json" > "$T/out-local")
		t1=$(now)
		calc "\"%.4f\\n\", $t1 - $t0" >> "$T/l$N"
	done
	grep -qi '^X-Zvm-State: ok' "$T/h" || { echo "swift.sh: the data-local job failed" >&2; cat "$T/h" >&2; exit 1; }
	cmp -s "$T/out-remote" "$T/out-local" || { echo "swift.sh: data-local and local outputs differ (N=$N): $(wc -c < "$T/out-remote") and $(wc -c < "$T/out-local") bytes" >&2; grep -i "^x-zvm" "$T/h" >&2; exit 1; }
	netr=$(( $(sed -n 's/^X-Zvm-Network-Bytes: //Ip' "$T/h" | tr -d '\r') + $(stat -c %s "$T/out-remote") ))
	loc="$(sed -n 's/^X-Zvm-Data-Local-Nodes: //Ip' "$T/h" | tr -d '\r') of $(sed -n 's/^X-Zvm-Nodes: //Ip' "$T/h" | tr -d '\r')"
	netl=$(( 2 * $(cat "$T/dl"/g*.txt | wc -c) ))
	table="$table
| $N | $loc | $(median < "$T/r$N") ($(spread "$T/r$N")) | $(median < "$T/l$N") ($(spread "$T/l$N")) | $netr | $netl |"
done
printf '%s\n\n%s runs each; %s; %s, %s cores.\n' "$table" "$RUNS" "$(swift-proxy-server --version 2>/dev/null || dpkg-query -W -f='swift ${Version}' swift)" \
	"$(uname -r)" "$(nproc)" | tee ${OUT:+"$OUT"}
