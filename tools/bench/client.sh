#!/bin/bash
# make bench, the client (issue #13, needs root): hello by digest through a
# warm zvmd as a process, request to exit: the `zvm` front end (libc and
# libzvm-client, a static PIE) against this tree's commands linked as the
# one zvm binary was (tests/bin/zvm-one: OpenSSL, Zydis, libseccomp,
# jansson shared) and, with --before, another build's zvm; the floor is
# the same request from libzvm-client in-process. `zvm status --help` of
# each gives the start alone, beside a static `return 0`; a one-shot `zvm
# run` through the front end (which execs zvm-local) against the one
# binary's shows what the split costs there. One run of client-bench,
# the variants taking turns.
#   tools/bench/client.sh [--runs N] [--rounds R] [--before ZVM] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
N=2000 R=10 BEFORE="" OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--runs) N=$2; shift 2;;
	--rounds) R=$2; shift 2;;
	--before) BEFORE=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	*) echo "client.sh: unknown option $1" >&2; exit 2;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "client.sh: needs root (zvmd builds namespaces and cgroups)" >&2; exit 0; }
B=$BUILD/tests/bin/client-bench ZVM=$(realpath "$BUILD/bin/zvm") ONE=$(realpath "$BUILD/tests/bin/zvm-one")
T=$(mktemp -d)
trap '[ -n "${DPID:-}" ] && kill $DPID 2>/dev/null; rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
echo 'int main(void) { return 0; }' > "$T/true.c"
gcc -O2 -static "$T/true.c" -o "$T/true.static"
cat > "$T/zvmd.conf" <<EOF2
pool_size = 8
uid_base = 2120000000
gid_base = 2120000000
cgroup_parent = zvm-bench-client
EOF2
"$BUILD/bin/zvmd" --config "$T/zvmd.conf" --socket "$T/zvm.sock" 2>"$T/zvmd.log" & DPID=$!
for i in $(seq 50); do "$ZVM" status -s "$T/zvm.sock" 2>/dev/null | grep -q 'warm 8' && break; sleep 0.1; done
D=$("$ZVM" upload -s "$T/zvm.sock" "$BUILD/examples/hello.nexe")
args=()
sub=(submit -s "$T/zvm.sock" --report none --digest "$D")
[ -z "$BEFORE" ] || args+=(-- "\`zvm submit\`, $BEFORE" "$(realpath "$BEFORE")" "${sub[@]}")
args+=(-- "\`zvm submit\`, one binary (this tree linked as zvm was before: tests/bin/zvm-one)" "$ONE" "${sub[@]}")
args+=(-- "\`zvm submit\` (the front end)" "$ZVM" "${sub[@]}")
[ -z "$BEFORE" ] || args+=(-- "start alone: \`zvm status --help\`, $BEFORE" "$(realpath "$BEFORE")" status --help)
args+=(-- "start alone: \`zvm status --help\`, one binary" "$ONE" status --help)
args+=(-- "start alone: \`zvm status --help\` (the front end)" "$ZVM" status --help)
args+=(-- "a static \`int main(void) { return 0; }\` (a process's floor)" "$T/true.static")
args+=(-- "one-shot \`zvm run\`, one binary (no zvmd)" "$ONE" run --report none "$BUILD/examples/hello.nexe")
args+=(-- "one-shot \`zvm run\` (the front end, exec'ing zvm-local)" "$ZVM" run --report none "$BUILD/examples/hello.nexe")
{
echo "Command: \`make bench\` (tools/bench/client.sh --runs $N --rounds $R${BEFORE:+ --before $BEFORE}), $(date -u +%Y-%m-%d); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), load average $(cut -d' ' -f1 /proc/loadavg) at start."
echo
echo "### Hello by digest through a warm zvmd (pool of 8), request to exit ($N runs each, $R interleaved rounds)"
echo
echo "| how | p50 ms | p90 ms | p99 ms | medians of the rounds |"
echo "|---|---:|---:|---:|---:|"
"$B" "$T/zvm.sock" "$D" "$N" "$R" "${args[@]}"
} | tee "$T/out.md"
[ -z "$OUT" ] || cp "$T/out.md" "$OUT"
