#!/bin/bash
# make bench, Python (issue #10, item 6): build/python.nexe beside Debian's
# /usr/bin/python3.11, side by side in one run.
#   tools/bench/python.sh [--runs N] [--starts N] [--rounds R] [--out FILE]
# 1. Start to report of `python -c pass`, timed by zvmd-bench exec
#    (posix_spawn + wait): Debian's `python3.11 -c pass` and `-S -c pass`,
#    one-shot `zvm run python.nexe -- -c pass`, and through zvmd
#    (`zvm submit --digest`, the image uploaded once; root; no template).
#    And from a template (root): `zvm submit --template py -- -c pass`
#    (python-template.nexe kept as py; the client's start included, as in
#    the --digest row), the same copy request to report (zvmd-bench
#    template: no client process), and a copy of the C template-hello the
#    same way, in the same run: zvmd's own hand-out, which every copy pays.
#    --starts runs per row per round (default 100), R rounds (default 3),
#    rows in rotating order; the median of the rounds' p50s and their
#    spread.
# 2. Five pure-Python workloads (tools/bench/python/: numbers, strings,
#    dicts, regular expressions, JSON), CPU time (user + system of the
#    process tree, /usr/bin/time) in a cell and natively, N runs each
#    (default 5) in rotating order; outputs must match. Medians, spread
#    (slowest/fastest), cell/native.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/bench/lib.sh
BUILD=${BUILD:-build}
RUNS=5 STARTS=100 ROUNDS=3 OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2;;
	--starts) STARTS=$2; shift 2;;
	--rounds) ROUNDS=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
	*) echo "python.sh: unknown option $1 (see --help)" >&2; exit 2;;
	esac
done
for v in "$RUNS" "$STARTS" "$ROUNDS"; do
	[ "$v" -ge 1 ] 2>/dev/null || { echo "python.sh: --runs, --starts and --rounds want positive numbers" >&2; exit 2; }
done
log() { echo "python bench: $*" >&2; }
ZVM=$BUILD/bin/zvm PY=$BUILD/python.nexe ZB=$BUILD/tests/bin/zvmd-bench HOSTPY=/usr/bin/python3.11
PYT=$BUILD/python-template.nexe CT=$BUILD/examples/template-hello.nexe
for f in "$ZVM" "$PY" "$PYT" "$CT" "$ZB" "$HOSTPY" /usr/bin/time; do
	[ -x "$f" ] || { log "$f missing (make all python; Debian's python3.11 and time)"; exit 1; }
done
T=$(mktemp -d)
trap '[ -n "${DPID:-}" ] && kill "$DPID" 2>/dev/null; rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
cp "$PY" "$T/python.nexe"
cp "$PYT" "$T/python-template.nexe"
cp "$CT" "$T/template-hello.nexe"
for f in python python-template template-hello; do "$ZVM" validate --cache "$T/$f.nexe" >/dev/null; done

# ---- 1. start to report ------------------------------------------------------
ROWS=() WHY=()
ROWS+=("native|Debian's \`python3.11 -c pass\` (no sandbox)")
ROWS+=("native-S|Debian's \`python3.11 -S -c pass\` (no site, no sandbox)")
ROWS+=("oneshot|one-shot \`zvm run python.nexe -- -c pass\`")
if [ "$(id -u)" != 0 ]; then
	WHY+=("zvmd, \`zvm submit --digest\`: needs root (zvmd builds namespaces and cgroups)")
else
	cat > "$T/zvmd.conf" <<EOF
pool_size = 4
uid_base = 2131000000
gid_base = 2131000000
cgroup_parent = zvm-bench-python
EOF
	"$BUILD/bin/zvmd" --config "$T/zvmd.conf" --socket "$T/zvm.sock" 2>"$T/zvmd.log" & DPID=$!
	for i in $(seq 100); do "$ZVM" status -s "$T/zvm.sock" 2>/dev/null | grep -q 'warm 4' && break; sleep 0.1; done
	if D=$("$ZVM" upload -s "$T/zvm.sock" "$T/python.nexe" 2>"$T/err") &&
		[ "$("$ZVM" submit -s "$T/zvm.sock" --digest "$D" -- -c 'print(1)' 2>>"$T/err")" = 1 ]; then
		ROWS+=("zvmd|zvmd, \`zvm submit --digest\` (uploaded once, warm pool of 4; the client's own start included)")
	else
		WHY+=("zvmd: $(head -c 300 "$T/err" "$T/zvmd.log" | tr '\n' ' ')")
	fi
	if "$ZVM" submit -s "$T/zvm.sock" --keep-as py "$T/python-template.nexe" </dev/null 2>"$T/err" &&
		"$ZVM" submit -s "$T/zvm.sock" --keep-as c-hello "$T/template-hello.nexe" </dev/null 2>>"$T/err" &&
		[ "$("$ZVM" submit -s "$T/zvm.sock" --template py -- -c 'print(1)' 2>>"$T/err")" = 1 ]; then
		ROWS+=("tpl|zvmd, \`zvm submit --template py -- -c pass\` (python-template.nexe; the client's own start included)")
		ROWS+=("tplreq|zvmd, a copy of template py, \`-c pass\`, request to report (zvmd-bench template, no client process)")
		ROWS+=("creq|zvmd, a copy of the C template-hello, request to report (the same; zvmd's hand-out and a copy's floor)")
	else
		WHY+=("templates: $(head -c 300 "$T/err" | tr '\n' ' ')")
	fi
fi
start_row() { # kind -> "p50 p90 p99 tput"
	case $1 in
	native) "$ZB" exec "$STARTS" 1 -- "$HOSTPY" -c pass;;
	native-S) "$ZB" exec "$STARTS" 1 -- "$HOSTPY" -S -c pass;;
	oneshot) "$ZB" exec "$STARTS" 1 -- "$ZVM" run --report none "$T/python.nexe" -- -c pass;;
	zvmd) "$ZB" exec "$STARTS" 1 -- "$ZVM" submit -s "$T/zvm.sock" --report none --digest "$D" -- -c pass;;
	tpl) "$ZB" exec "$STARTS" 1 -- "$ZVM" submit -s "$T/zvm.sock" --report none --template py -- -c pass;;
	tplreq) "$ZB" template "$T/zvm.sock" py "$STARTS" 1 -c pass;;
	creq) "$ZB" template "$T/zvm.sock" c-hello "$STARTS" 1;;
	esac
}
nrows=${#ROWS[@]}
for r in $(seq 0 $((ROUNDS - 1))); do
	for k in $(seq 0 $((nrows - 1))); do
		i=$(( (k + r) % nrows ))
		kind=${ROWS[$i]%%|*}
		read -r p50 _ < <(start_row "$kind")
		echo "$p50" >> "$T/start-$i"
	done
done

# ---- 2. the workloads ----------------------------------------------------------
WL=(numbers strings dicts regex jsondoc)
tar -C tools/bench/python -cf "$T/wl.tar" $(for w in "${WL[@]}"; do echo "$w.py"; done)
cpu() { # file-to-append, command... : user+system of the process tree
	/usr/bin/time -f '%U %S' -o "$T/time" "${@:2}" > "$T/out" 2>"$T/err" ||
		{ log "$* failed: $(head -c 300 "$T/err")"; exit 1; }
	awk '{printf "%.3f\n", $1 + $2}' "$T/time" >> "$1"
}
for w in "${WL[@]}"; do
	want=$("$HOSTPY" "tools/bench/python/$w.py")
	got=$("$ZVM" run --image "$T/wl.tar" --memory 1G --timeout 600 "$T/python.nexe" -- "$w.py")
	[ "$got" = "$want" ] || { log "$w: the cell printed '$got', native '$want'"; exit 1; }
done
for r in $(seq 0 $((RUNS - 1))); do
	for k in $(seq 0 $((${#WL[@]} - 1))); do
		w=${WL[$(( (k + r) % ${#WL[@]} ))]}
		if [ $((r % 2)) = 0 ]; then
			cpu "$T/n-$w" "$HOSTPY" "tools/bench/python/$w.py"
			cpu "$T/c-$w" "$ZVM" run --image "$T/wl.tar" --memory 1G --timeout 600 "$T/python.nexe" -- "$w.py"
		else
			cpu "$T/c-$w" "$ZVM" run --image "$T/wl.tar" --memory 1G --timeout 600 "$T/python.nexe" -- "$w.py"
			cpu "$T/n-$w" "$HOSTPY" "tools/bench/python/$w.py"
		fi
	done
done

# ---- the tables ------------------------------------------------------------------
{
echo "Command: \`make bench\` (tools/bench/python.sh --runs $RUNS --starts $STARTS --rounds $ROUNDS), $(date -u +%Y-%m-%d); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo "python.nexe: CPython $("$ZVM" run "$T/python.nexe" -- -c 'import sys; print(sys.version.split()[0])') from Debian's source by zvm-cc -O2, $(( $(stat -c %s "$T/python.nexe") / 1048576 )) MiB with its stdlib; native: Debian's $("$HOSTPY" -c 'import sys; print(sys.version.split()[0])') (PGO + LTO)."
echo
echo "### Python start to report ($STARTS starts per row in each of $ROUNDS rounds, rows in rotating order; zvmd-bench exec: posix_spawn + wait)"
echo
echo "| how | p50 ms (median of rounds) | spread of the rounds' p50 |"
echo "|---|---:|---:|"
for i in $(seq 0 $((nrows - 1))); do
	printf '| %s | %s | %s |\n' "${ROWS[$i]#*|}" "$(median < "$T/start-$i")" "$(spread "$T/start-$i")"
done
for w in "${WHY[@]+"${WHY[@]}"}"; do echo "| not run: $w | | |"; done
echo
echo "### Pure-Python workloads, CPU time (user + system, $RUNS runs each, in rotating order; outputs equal)"
echo
echo "| workload | native s | spread | cell s | spread | cell / native |"
echo "|---|---:|---:|---:|---:|---:|"
geo=1 n=0
for w in "${WL[@]}"; do
	nm=$(median < "$T/n-$w") cm=$(median < "$T/c-$w")
	ratio=$(calc "\"%.2f\", $cm / $nm")
	geo=$(calc "\"%.6f\", $geo * $cm / $nm"); n=$((n + 1))
	printf '| %s | %s | %s | %s | %s | %s |\n' "$w" "$nm" "$(spread "$T/n-$w")" "$cm" "$(spread "$T/c-$w")" "$ratio"
done
printf '| geometric mean | | | | | %s |\n' "$(calc "\"%.2f\", $geo ^ (1 / $n)")"
} > "$T/table.md"
cat "$T/table.md"
[ -z "$OUT" ] || cp "$T/table.md" "$OUT"
