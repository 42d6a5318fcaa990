#!/bin/bash
# make bench: SFI overhead, validator speed and one-shot start time, native
# and zvm side by side in one run.
#   tools/bench/run.sh [--runs N] [--out FILE]
# Each kernel is built with gcc -O2 -static (glibc) and with zvm-cc -O2;
# outputs must match; then native and zvm runs alternate N times and the
# medians are compared. Wall times include zvm's one-shot start (a few ms)
# and validation is cached, as in real use.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNS=5 OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	-h|--help) sed -n '2,9p' "$0"; exit 0;;
	*) echo "run.sh: unknown option $1" >&2; exit 2;;
	esac
done
ZVM=$BUILD/bin/zvm ZVMCC=$BUILD/bin/zvm-cc
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
report=$T/report.md

now() { echo "${EPOCHREALTIME/./}"; }   # microseconds
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

{
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), gcc $(gcc -dumpversion)."
echo "Command: \`make bench\` (tools/bench/run.sh --runs $RUNS), $(date -u +%Y-%m-%d)."
echo
echo "### Compute kernels: native gcc -O2 -static vs zvm-cc -O2 in a cell"
echo
echo "| kernel | native s (median) | zvm s (median) | ratio |"
echo "|---|---:|---:|---:|"
} > "$report"

logsum=0 count=0
for src in tools/bench/kernels/*.c; do
	k=$(basename "$src" .c)
	gcc -O2 -static "$src" -o "$T/$k.native"
	"$ZVMCC" -O2 "$src" -o "$T/$k.nexe"
	"$ZVM" validate --cache "$T/$k.nexe" >/dev/null
	"$T/$k.native" > "$T/$k.nout"
	"$ZVM" run --report none --timeout 120 "$T/$k.nexe" > "$T/$k.zout"
	cmp -s "$T/$k.nout" "$T/$k.zout" || { echo "bench: $k: outputs differ" >&2; exit 1; }
	: > "$T/n" ; : > "$T/z"
	for r in $(seq "$RUNS"); do
		s=$(now); "$T/$k.native" >/dev/null; e=$(now); echo $((e - s)) >> "$T/n"
		s=$(now); "$ZVM" run --report none --timeout 120 "$T/$k.nexe" >/dev/null; e=$(now); echo $((e - s)) >> "$T/z"
	done
	n=$(median < "$T/n"); z=$(median < "$T/z")
	ratio=$(awk -v a="$z" -v b="$n" 'BEGIN {printf "%.3f", a / b}')
	logsum=$(awk -v s="$logsum" -v r="$ratio" 'BEGIN {print s + log(r)}'); count=$((count + 1))
	printf '| %s | %.3f | %.3f | %s |\n' "$k" "$(awk -v x="$n" 'BEGIN{print x/1e6}')" "$(awk -v x="$z" 'BEGIN{print x/1e6}')" "$ratio" >> "$report"
	echo "bench: $k native $n us, zvm $z us, ratio $ratio" >&2
done
geo=$(awk -v s="$logsum" -v c="$count" 'BEGIN {printf "%.3f", exp(s / c)}')
echo "| **geomean** | | | **$geo** |" >> "$report"

# Validator speed: a large generated program, validated 5 times, best run.
{
	echo "/* generated */"
	for i in $(seq 3000); do
		echo "long f$i(long *a, long n) { long s = $i; for (long j = 0; j < n; j++) s = s * 31 + a[j] % ($i | 1); return s; }"
	done
	echo "int main(void) { long a[4] = {1,2,3,4}; return (int)(f1(a, 4) & 1); }"
} > "$T/big.c"
"$ZVMCC" -O2 "$T/big.c" -o "$T/big.nexe"
best=0
for r in 1 2 3 4 5; do
	mbs=$("$ZVM" validate -v "$T/big.nexe" | sed -n 's/.* \([0-9.]*\) MB\/s/\1/p')
	best=$(awk -v a="$best" -v b="$mbs" 'BEGIN {print (b > a) ? b : a}')
done
text=$("$ZVM" validate -v "$T/big.nexe" | sed -n 's/.*text \([0-9]*\) bytes, \([0-9]*\) instructions.*/\1 bytes, \2 instructions/p')
{
echo
echo "### Validator speed"
echo
echo "A generated program of 3000 functions ($text of text): **$best MB/s** (best of 5, \`zvm validate -v\`)."
} >> "$report"

# One-shot start to exit: hello world in a cell vs a static native hello.
cat > "$T/hello.c" <<'EOF2'
#include <stdio.h>
int main(void) { printf("hello, world\n"); return 0; }
EOF2
gcc -O2 -static "$T/hello.c" -o "$T/hello.native"
"$ZVMCC" -O2 "$T/hello.c" -o "$T/hello.nexe"
"$ZVM" validate --cache "$T/hello.nexe" >/dev/null
: > "$T/hn"; : > "$T/hz"
for r in $(seq 200); do
	s=$(now); "$T/hello.native" >/dev/null; e=$(now); echo $((e - s)) >> "$T/hn"
	s=$(now); "$ZVM" run --report none "$T/hello.nexe" >/dev/null; e=$(now); echo $((e - s)) >> "$T/hz"
done
hn=$(median < "$T/hn"); hz=$(median < "$T/hz")
{
echo
echo "### One-shot start to exit (hello world, 200 runs each, median, measured from the shell)"
echo
echo "| what | median |"
echo "|---|---:|"
echo "| static native hello (fork + exec) | $(awk -v x="$hn" 'BEGIN{printf "%.2f ms", x/1000}') |"
echo "| \`zvm run hello.nexe\` (fork+exec of zvm, load, cached validation, fork of the cell, seccomp, run, report) | $(awk -v x="$hz" 'BEGIN{printf "%.2f ms", x/1000}') |"
} >> "$report"

cat "$report"
[ -z "$OUT" ] || cp "$report" "$OUT"
