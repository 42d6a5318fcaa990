#!/bin/bash
# make bench, the client (issue #13, needs root): hello by digest through a
# warm zvmd as a process, request to exit — the `zvm` front end (libc and
# libzvm-client, static PIE) against zvm-local (the same commands linked as
# the one zvm binary was: OpenSSL, Zydis, libseccomp, jansson dynamically)
# and, with --before, another build's zvm; the floor is the same request
# from libzvm-client in-process. `zvm status --help` of each gives the
# start alone. All in one run of client-bench, variants taking turns.
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
B=$BUILD/tests/bin/client-bench ZVM=$(realpath "$BUILD/bin/zvm") LOCAL=$(realpath "$BUILD/bin/zvm-local")
T=$(mktemp -d)
trap '[ -n "${DPID:-}" ] && kill $DPID 2>/dev/null; rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
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
[ -z "$BEFORE" ] || args+=(-- "\`zvm submit\`, $BEFORE" "$(realpath "$BEFORE")" submit -s "$T/zvm.sock" --report none --digest "$D")
args+=(-- "\`zvm-local submit\` (linked as the one zvm was)" "$LOCAL" submit -s "$T/zvm.sock" --report none --digest "$D")
args+=(-- "\`zvm submit\` (the front end)" "$ZVM" submit -s "$T/zvm.sock" --report none --digest "$D")
[ -z "$BEFORE" ] || args+=(-- "start alone: \`zvm status --help\`, $BEFORE" "$(realpath "$BEFORE")" status --help)
args+=(-- "start alone: \`zvm-local status --help\`" "$LOCAL" status --help)
args+=(-- "start alone: \`zvm status --help\` (the front end)" "$ZVM" status --help)
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
