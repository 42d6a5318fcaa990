#!/bin/bash
# make bench, templates (needs root; docs/zvmd.md, "Templates"): the C and
# Lua hellos request to report as copies of a template, through zvmd
# without one (the image by digest), and one-shot `zvm run`, side by side
# in one run, timed the same way by zvmd-bench. The C template is
# examples/template-hello (a sieve of two million before its keep), so the
# rows also show what a template saves of a start-up; examples/hello is
# the plain C hello for scale. Percentiles over N runs.
#   tools/bench/template.sh [--runs N] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
N=1000 OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--runs) N=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	-h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
	*) echo "template.sh: unknown option $1" >&2; exit 2;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "template.sh: needs root (zvmd builds namespaces and cgroups)" >&2; exit 0; }
B=$BUILD/tests/bin/zvmd-bench ZVM=$BUILD/bin/zvm
T=$(mktemp -d)
DPID=
trap '[ -n "$DPID" ] && kill $DPID 2>/dev/null; rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
for p in hello template-hello; do cp "$BUILD/examples/$p.nexe" "$T/$p.nexe"; done
cp "$BUILD/lua.nexe" "$BUILD/lua-template.nexe" "$T/"
for p in "$T"/*.nexe; do "$ZVM" validate --cache "$p" >/dev/null; done
"$BUILD/bin/zvmd" --pool 8 --socket "$T/zvm.sock" 2>"$T/zvmd.log" & DPID=$!
for i in $(seq 50); do "$ZVM" status -s "$T/zvm.sock" 2>/dev/null | grep -q 'warm 8' && break; sleep 0.1; done
"$ZVM" submit -s "$T/zvm.sock" --keep-as c-hello "$T/template-hello.nexe" </dev/null >/dev/null
"$ZVM" submit -s "$T/zvm.sock" --keep-as lua "$T/lua-template.nexe" </dev/null >/dev/null
row() { # label, then zvmd-bench arguments
	local label=$1; shift
	read -r p50 p90 p99 tput < <("$B" "$@")
	printf '| %s | %s | %s | %s | %s |\n' "$label" "$p50" "$p90" "$p99" "$tput"
}
LUA_E=(-e 'print("hello")')
{
echo "Command: \`make bench\` (tools/bench/template.sh --runs $N), $(date -u +%Y-%m-%d); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r); zvmd with a warm pool of 8."
echo
echo "### Request to report, sequential ($N runs each; one-shot rows $((N / 4)))"
echo
echo "| how | p50 ms | p90 ms | p99 ms | runs/s |"
echo "|---|---:|---:|---:|---:|"
row "C template-hello, a copy of its template" template "$T/zvm.sock" c-hello "$N" 1
row "C template-hello through zvmd, no template (by digest)" digest "$T/zvm.sock" "$T/template-hello.nexe" "$N" 1
row "C template-hello, one-shot \`zvm run\`" exec $((N / 4)) 1 -- "$ZVM" run --report none "$T/template-hello.nexe"
row "C hello (examples/hello) through zvmd, no template (by digest)" digest "$T/zvm.sock" "$T/hello.nexe" "$N" 1
row "C hello, one-shot \`zvm run\`" exec $((N / 4)) 1 -- "$ZVM" run --report none "$T/hello.nexe"
row "Lua \`-e 'print(\"hello\")'\`, a copy of the lua-template" template "$T/zvm.sock" lua "$N" 1 "${LUA_E[@]}"
row "Lua hello through zvmd, no template (lua.nexe by digest)" digest "$T/zvm.sock" "$T/lua.nexe" "$N" 1 "${LUA_E[@]}"
row "Lua hello, one-shot \`zvm run lua.nexe\`" exec $((N / 4)) 1 -- "$ZVM" run --report none "$T/lua.nexe" -- "${LUA_E[@]}"
echo
echo "### Throughput of template copies (C template-hello, $N jobs)"
echo
echo "| concurrency | p50 ms | p90 ms | p99 ms | cells/s |"
echo "|---:|---:|---:|---:|---:|"
for c in 1 2 8; do row "$c" template "$T/zvm.sock" c-hello "$N" "$c"; done
} | tee "$T/out.md"
[ -z "$OUT" ] || cp "$T/out.md" "$OUT"
