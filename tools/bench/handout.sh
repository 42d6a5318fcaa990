#!/bin/bash
# make bench, the hand-out (issue #13 item 4; needs root): hello by digest
# through zvmd with its workers forked by the zygote against exec'd one by
# one (zygote = no), the two daemons in turn, R rounds; then where one job's
# time goes, step by step, from `perf trace` of the system calls that mark
# each step (client send, zvmd's read, the hand-out, the worker's wake, its
# cell-stage filter, its exit, zvmd's reap, the report, the client's wake).
#   tools/bench/handout.sh [--runs N] [--rounds R] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
N=2000 R=2 OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--runs) N=$2; shift 2;;
	--rounds) R=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	-h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
	*) echo "handout.sh: unknown option $1" >&2; exit 2;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "handout.sh: needs root (zvmd builds namespaces and cgroups)" >&2; exit 0; }
B=$BUILD/tests/bin/zvmd-bench IMG=$BUILD/examples/hello.nexe
T=$(mktemp -d)
trap '[ -n "${DPID:-}" ] && kill $DPID 2>/dev/null; rm -rf "$T"' EXIT

start_zvmd() { # zygote yes|no
	printf 'pool_size = 8\nzygote = %s\ncgroup_parent = zvm-bench\n' "$1" > "$T/z.conf"
	"$BUILD/bin/zvmd" --config "$T/z.conf" --socket "$T/zvm.sock" 2>"$T/zvmd.log" & DPID=$!
	for i in $(seq 100); do "$BUILD/bin/zvm" status -s "$T/zvm.sock" 2>/dev/null | grep -q 'warm 8' && return; sleep 0.1; done
	echo "handout.sh: zvmd did not warm up: $(tail -2 "$T/zvmd.log")" >&2; exit 1
}
stop_zvmd() { kill "$DPID"; wait "$DPID" || true; DPID=; }
cols() { read -r p50 p90 p99 tput; echo "$p50 / $p99 | $tput"; }
# perf trace's lines as "TIME COMM CALL RESULT-OR-FLAGS", TIME when the call
# returned (a blocked call's "[continued]" line: start + duration), sorted
events() {
	awk '{
		if (!match($0, /^ *[0-9.]+ \( *[0-9.]* *(ms)?\): [^ ]+\/[0-9]+ /)) next
		hl = RLENGTH; head = substr($0, 1, hl); line = substr($0, hl + 1)
		t = $1 + 0; d = 0
		if (match(head, /\( *[0-9.]+ ms\)/)) d = substr(head, RSTART + 1, RLENGTH - 5) + 0
		split(head, h, "\\): "); split(h[2], c, "/"); comm = c[1]
		cont = index(line, "[continued]") > 0
		sub(/^ *\.\.\. \[continued\]: /, "", line)
		call = line; sub(/\(.*/, "", call)
		res = ""; if (match(line, /= [0-9-]+ *$/)) res = substr(line, RSTART + 2)
		flag = index(line, "DONTWAIT") ? "DONTWAIT" : "-"
		if (cont || index(line, "...") == 0 || call == "exit_group") printf "%.3f %s %s %s %s %d\n", t + (cont ? d : 0), comm, call, (res == "" ? "-" : res), flag, cont
	}' "$1" | sort -n -k1,1
}
# one job: the client's send, zvmd's first read of it, the hand-out (a
# 1-byte sendmsg), the worker's recvmsg returning, its cell-stage seccomp,
# its exit_group, zvmd's wait4, the report (zvmd's next sendmsg to the
# client), the client's recvmsg returning
steps() {
	events "$1" | awk '
	function q(a, n, p,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return a[int((n - 1) * p) + 1] }
	BEGIN { split("client to zvmd|zvmd: request to hand-out|zvmd to the worker (a wake-up)|worker: job to cell entry (image mapped, channels, cell-stage filter)|the cell: hello world|the worker exit_group to zvmd reaping it|zvmd: reap to report|zvmd to the client (a wake-up)|total, request to report", name, "|"); st = 0 }
	{ t = $1; comm = $2; call = $3; res = $4; fl = $5; cont = $6 }
	comm == "zvmd-bench" && call == "sendmsg" && !cont { st = 1; v[0] = t; next }
	st == 1 && comm == "zvmd" && call == "recvmsg" && fl == "DONTWAIT" { st = 2; v[1] = t; next }
	st == 2 && comm == "zvmd" && call == "sendmsg" && res == "1" { st = 3; v[2] = t; next }
	st == 3 && comm == "zvm-worker" && call == "recvmsg" && cont { st = 4; v[3] = t; next }
	st == 4 && comm == "zvm-worker" && call == "seccomp" { st = 5; v[4] = t; next }
	st == 5 && comm == "zvm-worker" && call == "exit_group" { st = 6; v[5] = t; next }
	st == 6 && comm == "zvmd" && call == "wait4" { st = 7; v[6] = t; next }
	st == 7 && comm == "zvmd" && call == "sendmsg" { st = 8; v[7] = t; next }
	st == 8 && comm == "zvmd-bench" && call == "recvmsg" && cont { v[8] = t; n++
		for (i = 1; i <= 8; i++) d[i, n] = v[i] - v[i - 1]; d[9, n] = v[8] - v[0]; st = 0 }
	END { if (!n) { print "| (no whole job in the trace) | | |"; exit }
		for (i = 1; i <= 9; i++) { for (k = 1; k <= n; k++) a[k] = d[i, k]
			printf "| %s | %.3f | %.3f |\n", name[i], q(a, n, 0.5), q(a, n, 0.9) }
		printf "| (jobs traced whole) | %d | |\n", n }'
}

{
echo "Command: \`make bench\` (tools/bench/handout.sh --runs $N --rounds $R), $(date -u +%Y-%m-%d); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), load average $(cut -d' ' -f1 /proc/loadavg) at start."
echo
echo "### Hello by digest, workers forked by the zygote or exec'd (pool of 8; p50 / p99 ms, then cells/s)"
echo
echo "| workers | round | c=1, 3 ms apart | /s | c=1, back to back | /s | c=8 | cells/s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for r in $(seq "$R"); do
	for z in yes no; do
		start_zvmd $z
		gap=$(ZVMD_BENCH_GAP_US=3000 "$B" digest "$T/zvm.sock" "$IMG" $((N / 4)) 1 | cols)
		c1=$("$B" digest "$T/zvm.sock" "$IMG" "$N" 1 | cols)
		c8=$("$B" digest "$T/zvm.sock" "$IMG" "$N" 8 | cols)
		stop_zvmd
		label=forked; [ $z = no ] && label="exec'd"
		echo "| $label | $r | $gap | $c1 | $c8 |"
	done
done
echo
if [ -x "$BUILD/tests/bin/pool-spawn" ]; then
	echo "### Starting one worker (\`pool-spawn 300\`: the time zvm_pool_spawn keeps zvmd's loop, and until the worker is ready; ms)"
	echo
	echo "| workers | spawn p50 | spawn p90 | ready p50 | ready p90 |"
	echo "|---|---:|---:|---:|---:|"
	for r in $(seq "$R"); do
		read -r a b c d < <(POOL_SPAWN_ZYGOTE=1 "$BUILD/tests/bin/pool-spawn" 300)
		echo "| forked (round $r) | $a | $b | $c | $d |"
		read -r a b c d < <("$BUILD/tests/bin/pool-spawn" 300)
		echo "| exec'd (round $r) | $a | $b | $c | $d |"
	done
	echo
fi
if command -v perf >/dev/null && perf trace -e exit_group true >/dev/null 2>&1; then
	start_zvmd yes
	perf trace -a -e 'recvmsg,sendmsg,seccomp,exit_group,wait4' -o "$T/trace" \
		env ZVMD_BENCH_GAP_US=3000 "$B" digest "$T/zvm.sock" "$IMG" 300 1 >/dev/null
	stop_zvmd
	echo "### One job step by step (300 jobs 3 ms apart, \`perf trace\` of the marking system calls; ms)"
	echo
	echo "| step | p50 | p90 |"
	echo "|---|---:|---:|"
	steps "$T/trace"
	echo
	echo "Each traced call costs the tracer's own few microseconds, so the steps are upper bounds."
else
	echo "(perf trace not available: the step-by-step table is left out)"
fi
} | tee "$T/out.md"
[ -z "$OUT" ] || cp "$T/out.md" "$OUT"
