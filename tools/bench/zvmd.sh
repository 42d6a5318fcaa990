#!/bin/bash
# make bench, supervisor part (needs root): hello world through zvmd,
# request to report, against one-shot `zvm run`, a static hello under
# `bwrap --unshare-all`, and plain fork+exec — all timed the same way by
# zvmd-bench (posix_spawn + wait for the others). Percentiles over N runs;
# throughput at concurrency 1, 2 and 8; memory per warm worker.
#   tools/bench/zvmd.sh [--runs N] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
N=2000 OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--runs) N=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	*) echo "zvmd.sh: unknown option $1" >&2; exit 2;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "zvmd.sh: needs root (zvmd builds namespaces and cgroups)" >&2; exit 0; }
B=$BUILD/tests/bin/zvmd-bench
T=$(mktemp -d)
trap '[ -n "${DPID:-}" ] && kill $DPID 2>/dev/null; rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
echo 'int main(void) { return 0; }' > "$T/h.c"
gcc -O2 -static "$T/h.c" -o "$T/hello.native"
cp "$BUILD/examples/hello.nexe" "$T/hello.nexe"
"$BUILD/bin/zvm" validate --cache "$T/hello.nexe" >/dev/null
"$BUILD/bin/zvmd" --pool 8 --socket "$T/zvm.sock" 2>"$T/zvmd.log" & DPID=$!
for i in $(seq 50); do "$BUILD/bin/zvm" status -s "$T/zvm.sock" 2>/dev/null | grep -q 'warm 8' && break; sleep 0.1; done
row() { # label, then zvmd-bench arguments; prints a table row
	local label=$1; shift
	read -r p50 p90 p99 tput < <("$B" "$@")
	printf '| %s | %s | %s | %s | %s |\n' "$label" "$p50" "$p90" "$p99" "$tput"
}
{
echo "Command: \`make bench\` (tools/bench/zvmd.sh --runs $N), $(date -u +%Y-%m-%d); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r)."
echo
echo "### Start-to-report latency of hello world ($N runs each, sequential)"
echo
echo "| how | p50 ms | p90 ms | p99 ms | runs/s |"
echo "|---|---:|---:|---:|---:|"
row "zvmd (warm pool of 8), request to report, image passed as fd" zvmd "$T/zvm.sock" "$T/hello.nexe" "$N" 1
row "zvmd, image named by its digest (uploaded once)" digest "$T/zvm.sock" "$T/hello.nexe" "$N" 1
row "one-shot \`zvm run\`" exec $((N / 4)) 1 -- "$BUILD/bin/zvm" run --report none "$T/hello.nexe"
row "\`bwrap --unshare-all\`, static hello" exec $((N / 4)) 1 -- "$(command -v bwrap)" --unshare-all --die-with-parent --ro-bind "$T/hello.native" /hello /hello
row "fork+exec of a static hello (no sandbox)" exec "$N" 1 -- "$T/hello.native"
echo
echo "### zvmd throughput (hello world by digest, $N jobs)"
echo
echo "| concurrency | p50 ms | p90 ms | p99 ms | cells/s |"
echo "|---:|---:|---:|---:|---:|"
for c in 1 2 8; do row "$c" digest "$T/zvm.sock" "$T/hello.nexe" "$N" "$c"; done
echo
pss=0
for p in $(pgrep -P $DPID); do
	v=$(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null || echo 0); pss=$((pss + v))
done
nw=$(pgrep -P $DPID | wc -l)
echo "Memory per warm worker: $((pss / (nw ? nw : 1))) KiB proportional set size (PSS, from /proc/PID/smaps_rollup, $nw workers)."
} | tee "$T/out.md"
[ -z "$OUT" ] || cp "$T/out.md" "$OUT"
