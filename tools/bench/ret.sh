#!/bin/bash
# make bench, masked-return part: the compute kernels built three ways and
# run side by side — `gcc -O2 -static`, `zvm-cc -O2` with the older return
# (ZVM_CC_RETURN=pop: `popq %r11` and a masked jmp, calls unaligned) and
# `zvm-cc -O2` as it is (calls ending at a bundle end, the masked `ret`,
# docs/sfi.md §4).
#   tools/bench/ret.sh [--runs N] [--out FILE] [--only KERNEL]...
#
# CPU time (user + system, from bash's `time`), the three runs of a round
# in a rotating order, N rounds (default 7), medians. The cell's columns
# include zvm's start-up (a few ms of CPU; a hello world's CPU time is
# printed and subtracted in the last columns). Outputs must match first.
set -euo pipefail
cd "$(dirname "$0")/../.."
export ZVM_LIBC=mini   # the same small runtime natively and in the cell
BUILD=${BUILD:-build}
RUNS=7 OUT="" ONLY=()
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	--only) ONLY+=("$2"); shift 2;;
	-h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
	*) echo "ret.sh: unknown option $1 (see --help)" >&2; exit 2;;
	esac
done
[ "$RUNS" -ge 1 ] 2>/dev/null || { echo "ret.sh: --runs wants a positive number" >&2; exit 2; }
ZVM=$BUILD/bin/zvm ZVMCC=$BUILD/bin/zvm-cc
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
source tools/bench/lib.sh # median, calc, spread
log() { echo "bench: $*" >&2; }
cpu_us() { # command...: prints its user+system CPU time in microseconds
	local TIMEFORMAT='%3U %3S' t
	t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
	calc "\"%d\\n\", ($(echo "$t" | awk '{print $1 " + " $2}')) * 1e6"
}
zrun() { "$ZVM" run --report none --timeout 300 "$@"; }
report=$T/report.md

cat > "$T/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { printf("hello, world\n"); return 0; }
EOF
"$ZVMCC" -O2 "$T/hello.c" -o "$T/hello.nexe"
"$ZVM" validate --cache "$T/hello.nexe" >/dev/null
: > "$T/h"
for r in $(seq 21); do cpu_us zrun "$T/hello.nexe" >> "$T/h"; done
hello=$(median < "$T/h")
{
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), gcc $(gcc -dumpversion)."
echo "Command: \`tools/bench/ret.sh --runs $RUNS\`, $(date -u '+%Y-%m-%d %H:%M') UTC; load average at the start $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "### Masked return: pop-and-jump against the predicted \`ret\` (CPU time, $RUNS rotating rounds, medians)"
echo
echo "\`zvm run\` of hello world costs $(calc "\"%.1f\", $hello / 1e3") ms of CPU (median of 21), subtracted in the last two columns."
echo
echo "| kernel | native s | zvm, pop+jmp s | zvm, masked ret s | ret / pop | pop / native | ret / native |"
echo "|---|---:|---:|---:|---:|---:|---:|"
} > "$report"
lg_rp=0 lg_pn=0 lg_rn=0 count=0
for src in tools/bench/kernels/*.c; do
	k=$(basename "$src" .c)
	if [ ${#ONLY[@]} -gt 0 ] && [[ " ${ONLY[*]} " != *" $k "* ]]; then continue; fi
	gcc -O2 -static "$src" -o "$T/$k.native"
	ZVM_CC_RETURN=pop "$ZVMCC" -O2 "$src" -o "$T/$k.pop.nexe"
	"$ZVMCC" -O2 "$src" -o "$T/$k.ret.nexe"
	cmp -s "$T/$k.pop.nexe" "$T/$k.ret.nexe" && { log "$k: both builds are the same file"; exit 1; }
	"$T/$k.native" > "$T/$k.out"
	for v in pop ret; do
		"$ZVM" validate --cache "$T/$k.$v.nexe" >/dev/null
		zrun "$T/$k.$v.nexe" > "$T/$k.$v.out"
		cmp -s "$T/$k.out" "$T/$k.$v.out" || { log "$k: the $v build's output differs"; exit 1; }
	done
	: > "$T/n"; : > "$T/p"; : > "$T/r"
	for r in $(seq "$RUNS"); do
		case $((r % 3)) in
		0) cpu_us "$T/$k.native" >> "$T/n"; cpu_us zrun "$T/$k.pop.nexe" >> "$T/p"; cpu_us zrun "$T/$k.ret.nexe" >> "$T/r";;
		1) cpu_us zrun "$T/$k.pop.nexe" >> "$T/p"; cpu_us zrun "$T/$k.ret.nexe" >> "$T/r"; cpu_us "$T/$k.native" >> "$T/n";;
		2) cpu_us zrun "$T/$k.ret.nexe" >> "$T/r"; cpu_us "$T/$k.native" >> "$T/n"; cpu_us zrun "$T/$k.pop.nexe" >> "$T/p";;
		esac
	done
	n=$(median < "$T/n") p=$(median < "$T/p") q=$(median < "$T/r")
	rp=$(calc "\"%.3f\", $q / $p")
	pn=$(calc "\"%.3f\", ($p - $hello) / $n")
	rn=$(calc "\"%.3f\", ($q - $hello) / $n")
	lg_rp=$(calc "\"%.9f\", $lg_rp + log($rp)")
	lg_pn=$(calc "\"%.9f\", $lg_pn + log($pn)")
	lg_rn=$(calc "\"%.9f\", $lg_rn + log($rn)")
	count=$((count + 1))
	printf '| %s | %.3f | %.3f | %.3f | %s | %s | %s |\n' "$k" "$(calc "\"%.6f\", $n / 1e6")" \
		"$(calc "\"%.6f\", $p / 1e6")" "$(calc "\"%.6f\", $q / 1e6")" "$rp" "$pn" "$rn" >> "$report"
	log "$k: native $n us, pop $p us (spread $(spread "$T/p")), ret $q us (spread $(spread "$T/r")); ret/pop $rp"
done
[ $count -gt 0 ] || { log "no kernel selected"; exit 2; }
printf '| **geomean** | | | | **%s** | %s | %s |\n' "$(calc "\"%.3f\", exp($lg_rp / $count)")" \
	"$(calc "\"%.3f\", exp($lg_pn / $count)")" "$(calc "\"%.3f\", exp($lg_rn / $count)")" >> "$report"
printf '\nLoad average (1 min) at the end: %s.\n' "$(cut -d' ' -f1 /proc/loadavg)" >> "$report"
cat "$report"
[ -z "$OUT" ] || { mkdir -p "$(dirname "$OUT")"; cp "$report" "$OUT"; }
