#!/bin/bash
# zvmd before and after a change, side by side in one run (needs root):
# hello world request to report, image by fd and by digest at concurrency 1,
# and by digest at concurrency 8, each build's zvmd in turn, ROUNDS times
# alternating so the machine's drift falls on both alike.
#   tools/bench/zvmd-ab.sh BEFORE_BIN_DIR [--runs N] [--rounds R] [--image NEXE] [--out FILE]
# (--image: another program than examples/hello.nexe, e.g. a large one)
# BEFORE_BIN_DIR holds the other build's zvmd (and what it needs beside it).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
[ $# -ge 1 ] || { echo "usage: zvmd-ab.sh BEFORE_BIN_DIR [--runs N] [--rounds R] [--out FILE]" >&2; exit 2; }
BEFORE=$1; shift
N=2000 R=2 OUT="" IMG=$BUILD/examples/hello.nexe
while [ $# -gt 0 ]; do
	case $1 in
	--runs) N=$2; shift 2;;
	--rounds) R=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	--image) IMG=$2; shift 2;;
	*) echo "zvmd-ab.sh: unknown option $1" >&2; exit 2;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "zvmd-ab.sh: needs root" >&2; exit 0; }
B=$BUILD/tests/bin/zvmd-bench
T=$(mktemp -d)
trap '[ -n "${DPID:-}" ] && kill $DPID 2>/dev/null; rm -rf "$T"' EXIT
cp "$IMG" "$T/hello.nexe"
run_one() { # label, zvmd binary
	"$2" --pool 8 --socket "$T/zvm.sock" 2>"$T/zvmd.log" & DPID=$!
	for i in $(seq 100); do "$BUILD/bin/zvm" status -s "$T/zvm.sock" 2>/dev/null | grep -q 'warm 8' && break; sleep 0.1; done
	read -r a50 a90 a99 at < <("$B" zvmd "$T/zvm.sock" "$T/hello.nexe" "$N" 1)
	read -r d50 d90 d99 dt < <("$B" digest "$T/zvm.sock" "$T/hello.nexe" "$N" 1)
	read -r c50 c90 c99 ct < <("$B" digest "$T/zvm.sock" "$T/hello.nexe" "$N" 8)
	printf '| %s | %s / %s | %s / %s | %s / %s | %s |\n' "$1" "$a50" "$a99" "$d50" "$d99" "$c50" "$c99" "$ct"
	kill -TERM $DPID; wait $DPID 2>/dev/null || true; DPID=
}
{
echo "Command: \`tools/bench/zvmd-ab.sh $BEFORE --runs $N --rounds $R${IMG:+ --image $IMG}\` ($(stat -c %s "$IMG") bytes), $(date -u +%Y-%m-%d); $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at start."
echo
echo "| build | by fd, c=1: p50 / p99 ms | by digest, c=1: p50 / p99 ms | by digest, c=8: p50 / p99 ms | c=8 cells/s |"
echo "|---|---:|---:|---:|---:|"
for r in $(seq "$R"); do
	run_one "before (round $r)" "$BEFORE/zvmd"
	run_one "after (round $r)" "$BUILD/bin/zvmd"
done
} | tee "$T/out.md"
[ -z "$OUT" ] || cp "$T/out.md" "$OUT"
