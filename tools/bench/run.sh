#!/bin/bash
# make bench, SFI part: compute kernels native vs zvm side by side, one-shot
# start-up of hello world, validator speed.
#   tools/bench/run.sh [--runs N] [--out FILE] [--only KERNEL]...
#
# Each tools/bench/kernels/K.c is built with `gcc -O2 -static` (glibc,
# static: no dynamic loader in the native time) and with `zvm-cc -O2`; the
# outputs and exit codes must match. Then native and `zvm run K.nexe` runs
# alternate N times (default 7; the order flips every round so drift hits
# both sides alike) and the medians are compared. The zvm time is the whole
# `zvm run` process, start-up included, validation cached (as in real use);
# the cell has no clock, so the start-up cost is measured separately with
# hyperfine on hello world and subtracted in an extra column.
# Needs gcc, hyperfine, awk; without a working build/bin/zvm{,-cc} it still
# measures the native side and marks the zvm column pending.
set -euo pipefail
cd "$(dirname "$0")/../.."
# the SFI overhead is measured with the small runtime (the same code
# natively and in the cell, not glibc against musl)
export ZVM_LIBC=mini
BUILD=${BUILD:-build}
RUNS=7 OUT="" ONLY=()
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	--only) ONLY+=("$2"); shift 2;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2;;
	esac
done
[ "$RUNS" -ge 1 ] 2>/dev/null || { echo "run.sh: --runs wants a positive number" >&2; exit 2; }
ZVM=$BUILD/bin/zvm ZVMCC=$BUILD/bin/zvm-cc
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache   # a fresh validation cache, filled below
report=$T/report.md
log() { echo "bench: $*" >&2; }
now() { echo "${EPOCHREALTIME/./}"; }   # microseconds
source tools/bench/lib.sh # median, calc, spread
minimum() { sort -n | head -1; }

# ---- is the zvm side usable? ------------------------------------------------
cat > "$T/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { printf("hello, world\n"); return 0; }
EOF
PENDING=""
if [ ! -x "$ZVMCC" ] || [ ! -x "$ZVM" ]; then
	PENDING="$ZVMCC or $ZVM not built"
elif ! "$ZVMCC" -O2 "$T/hello.c" -o "$T/hello.nexe" 2>"$T/err"; then
	PENDING="zvm-cc fails on hello world: $(head -c 300 "$T/err" | tr '\n' ' ')"
elif ! "$ZVM" validate --cache "$T/hello.nexe" >"$T/err" 2>&1; then
	PENDING="zvm validate rejects hello world: $(head -c 300 "$T/err" | tr '\n' ' ')"
elif [ "$("$ZVM" run --report none "$T/hello.nexe" 2>"$T/err")" != "hello, world" ]; then
	PENDING="zvm run of hello world fails: $(head -c 300 "$T/err" | tr '\n' ' ')"
fi
[ -z "$PENDING" ] || log "zvm column pending: $PENDING"
zrun() { "$ZVM" run --report none --timeout 120 "$@"; }

{
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), gcc $(gcc -dumpversion), glibc $(ldd --version | head -1 | awk '{print $NF}')."
echo "Command: \`make bench\` (\`tools/bench/run.sh --runs $RUNS\`), $(date -u '+%Y-%m-%d %H:%M') UTC."
echo "Load average (1 min) at the start: $(cut -d' ' -f1 /proc/loadavg) (a busy machine inflates both columns and the noise)."
} > "$report"

# ---- one-shot start-up: hello world, static native vs zvm run ----------------
# First, so that the kernels' table can subtract it.
gcc -O2 -static "$T/hello.c" -o "$T/hello.native"
startup_us=0
{
echo
echo "### One-shot start to exit: hello world (hyperfine -N, 20 warm-up + 300 runs each)"
echo
echo "| what | median ms | mean ms | min ms |"
echo "|---|---:|---:|---:|"
} >> "$report"
hrow() { # label, CSV line of hyperfine (command,mean,stddev,median,user,system,min,max)
	echo "$2" | awk -F, -v l="$1" '{printf "| %s | %.2f | %.2f | %.2f |\n", l, $4 * 1e3, $2 * 1e3, $7 * 1e3}'
}
if [ -z "$PENDING" ]; then
	hyperfine -N --style none --warmup 20 --runs 300 --export-csv "$T/h.csv" \
		"$T/hello.native" "$ZVM run --report none $T/hello.nexe" >/dev/null 2>"$T/herr" ||
		{ cat "$T/herr" >&2; exit 1; }
	hn=$(sed -n 2p "$T/h.csv") hz=$(sed -n 3p "$T/h.csv")
	hrow "static native hello (\`gcc -O2 -static\`: exec, run, exit)" "$hn" >> "$report"
	hrow "\`zvm run hello.nexe\` (exec of zvm, load and hash the image, cached validation, fork of the cell, mappings, seccomp, run, exit)" "$hz" >> "$report"
	startup_us=$(calc "\"%d\", ($(echo "$hz" | cut -d, -f4) - $(echo "$hn" | cut -d, -f4)) * 1e6")
	echo "| difference: zvm's start-up cost | $(calc "\"%.2f\", $startup_us / 1e3") | | |" >> "$report"
	log "start-up: native $(hrow x "$hn" | cut -d'|' -f3) ms, zvm $(hrow x "$hz" | cut -d'|' -f3) ms (medians)"
else
	hyperfine -N --style none --warmup 20 --runs 300 --export-csv "$T/h.csv" "$T/hello.native" >/dev/null 2>&1
	hrow "static native hello (\`gcc -O2 -static\`)" "$(sed -n 2p "$T/h.csv")" >> "$report"
	echo "| \`zvm run hello.nexe\` | pending | | |" >> "$report"
fi

# ---- compute kernels ---------------------------------------------------------
{
echo
echo "### Compute kernels: \`gcc -O2 -static\` vs \`zvm-cc -O2\` in a cell ($RUNS interleaved runs each, medians)"
echo
echo "| kernel | native s | zvm s | ratio | ratio, start-up subtracted | ratio of minima |"
echo "|---|---:|---:|---:|---:|---:|"
} >> "$report"
log_r=0 log_s=0 log_m=0 count=0
for src in tools/bench/kernels/*.c; do
	k=$(basename "$src" .c)
	if [ ${#ONLY[@]} -gt 0 ] && [[ " ${ONLY[*]} " != *" $k "* ]]; then continue; fi
	gcc -O2 -static "$src" -o "$T/$k.native"
	rc=0; "$T/$k.native" > "$T/$k.nout" || rc=$?
	[ $rc = 0 ] || { log "$k: native run exits $rc"; exit 1; }
	if [ -n "$PENDING" ]; then
		: > "$T/n"
		for r in $(seq "$RUNS"); do
			s=$(now); "$T/$k.native" >/dev/null; e=$(now); echo $((e - s)) >> "$T/n"
		done
		n=$(median < "$T/n")
		printf '| %s | %.3f | pending | | | |\n' "$k" "$(calc "\"%.6f\", $n / 1e6")" >> "$report"
		log "$k: native $n us"
		continue
	fi
	"$ZVMCC" -O2 "$src" -o "$T/$k.nexe"
	"$ZVM" validate --cache "$T/$k.nexe" >/dev/null
	rc=0; zrun "$T/$k.nexe" > "$T/$k.zout" || rc=$?
	[ $rc = 0 ] || { log "$k: zvm run exits $rc"; exit 1; }
	cmp -s "$T/$k.nout" "$T/$k.zout" || { log "$k: outputs differ"; diff "$T/$k.nout" "$T/$k.zout" | head >&2; exit 1; }
	: > "$T/n"; : > "$T/z"
	for r in $(seq "$RUNS"); do
		if [ $((r % 2)) = 1 ]; then
			s=$(now); "$T/$k.native" >/dev/null; e=$(now); echo $((e - s)) >> "$T/n"
			s=$(now); zrun "$T/$k.nexe" >/dev/null; e=$(now); echo $((e - s)) >> "$T/z"
		else
			s=$(now); zrun "$T/$k.nexe" >/dev/null; e=$(now); echo $((e - s)) >> "$T/z"
			s=$(now); "$T/$k.native" >/dev/null; e=$(now); echo $((e - s)) >> "$T/n"
		fi
	done
	n=$(median < "$T/n") z=$(median < "$T/z") nmin=$(minimum < "$T/n") zmin=$(minimum < "$T/z")
	ratio=$(calc "\"%.3f\", $z / $n")
	sratio=$(calc "\"%.3f\", ($z - $startup_us) / $n")
	mratio=$(calc "\"%.3f\", $zmin / $nmin")
	log_r=$(calc "\"%.9f\", $log_r + log($ratio)")
	log_s=$(calc "\"%.9f\", $log_s + log($sratio)")
	log_m=$(calc "\"%.9f\", $log_m + log($mratio)")
	count=$((count + 1))
	printf '| %s | %.3f | %.3f | %s | %s | %s |\n' "$k" "$(calc "\"%.6f\", $n / 1e6")" \
		"$(calc "\"%.6f\", $z / 1e6")" "$ratio" "$sratio" "$mratio" >> "$report"
	log "$k: native $n us, zvm $z us (medians), ratio $ratio; minima $nmin / $zmin us"
done
if [ -z "$PENDING" ] && [ $count -gt 0 ]; then
	printf '| **geomean** | | | **%s** | %s | %s |\n' "$(calc "\"%.3f\", exp($log_r / $count)")" \
		"$(calc "\"%.3f\", exp($log_s / $count)")" "$(calc "\"%.3f\", exp($log_m / $count)")" >> "$report"
else
	printf '\nzvm column pending: %s\n' "${PENDING:-no kernel selected}" >> "$report"
fi

# ---- validator speed -----------------------------------------------------------
# A generated program of 3000 functions; `zvm validate` (which never reads
# the cache: --cache only records) 5 times, its own timing of the rule
# checks, and the whole process under hyperfine (exec, reading, decoding).
{
echo
echo "### Validator speed"
echo
} >> "$report"
if [ -z "$PENDING" ]; then
	{
		echo "/* generated by tools/bench/run.sh */"
		for i in $(seq 3000); do
			echo "long f$i(long *a, long n) { long s = $i; for (long j = 0; j < n; j++) s = s * 31 + a[j] % ($i | 1); return s; }"
		done
		echo "int main(void) { long a[4] = {1,2,3,4}; return (int)(f1(a, 4) & 1); }"
	} > "$T/big.c"
	"$ZVMCC" -O2 "$T/big.c" -o "$T/big.nexe"
	best=0
	for r in 1 2 3 4 5; do
		"$ZVM" validate -v "$T/big.nexe" > "$T/v" || { log "validator rejects the generated program"; cat "$T/v" >&2; exit 1; }
		mbs=$(sed -n 's/.* \([0-9.]*\) MB\/s.*/\1/p' "$T/v")
		best=$(calc "\"%s\", ($mbs > $best) ? $mbs : $best")
	done
	bytes=$(sed -n 's/.*text \([0-9]*\) bytes.*/\1/p' "$T/v")
	insns=$(sed -n 's/.* \([0-9]*\) instructions.*/\1/p' "$T/v")
	hyperfine -N --style none --warmup 2 --runs 20 --export-csv "$T/v.csv" "$ZVM validate $T/big.nexe" >/dev/null 2>&1
	vmin=$(sed -n 2p "$T/v.csv" | cut -d, -f7) vmed=$(sed -n 2p "$T/v.csv" | cut -d, -f4)
	{
	echo "A generated program of 3000 functions, $bytes bytes of text, $insns instructions:"
	echo
	echo "| what | MB/s |"
	echo "|---|---:|"
	echo "| rule checks alone (\`zvm validate -v\`'s own clock, best of 5) | $best |"
	echo "| whole \`zvm validate\` process (hyperfine, 20 runs: median $(calc "\"%.1f\", $vmed * 1e3") ms, min $(calc "\"%.1f\", $vmin * 1e3") ms) | $(calc "\"%.1f\", $bytes / $vmed / 1e6") |"
	} >> "$report"
	log "validator: $best MB/s (checks alone), whole process $(calc "\"%.1f\", $vmed * 1e3") ms for $bytes bytes"
else
	echo "Pending: $PENDING" >> "$report"
fi

printf '\nLoad average (1 min) at the end: %s.\n' "$(cut -d' ' -f1 /proc/loadavg)" >> "$report"
echo >&2
cat "$report"
[ -z "$OUT" ] || { mkdir -p "$(dirname "$OUT")"; cp "$report" "$OUT"; }
