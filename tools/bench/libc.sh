#!/bin/bash
# make bench, the default libc's part (issue #13): the compute kernels of
# tools/bench/kernels/ built four ways and timed in CPU time (user + system
# of the whole process tree, /usr/bin/time), rounds interleaved:
#   glibc    gcc -O2 -static (the reference: ratios are against it)
#   musl     musl-gcc -O2 -static (Debian's musl natively; skipped without it)
#   default  zvm-cc -O2, what users get: musl + ZRT + runtime/zlibc, in a cell
#   mini     zvm-cc -O2 with ZVM_LIBC=mini, the small runtime, in a cell
#   before   (--before) zvm-cc -O2 against a copy of the runtime whose
#            libzlibc.a is empty: musl's own malloc, qsort and strings
#   tools/bench/libc.sh [--runs N] [--out FILE] [--only KERNEL]... [--before]
# Outputs of every build must match glibc's before anything is timed.
# N rounds (default 5), each running every build once in an order that
# rotates per round; medians; ratio per kernel, geomean and the largest.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNS=5 OUT="" ONLY=() BEFORE=0
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	--only) ONLY+=("$2"); shift 2;;
	--before) BEFORE=1; shift;;
	-h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
	*) echo "libc.sh: unknown option $1 (see --help)" >&2; exit 2;;
	esac
done
[ "$RUNS" -ge 1 ] 2>/dev/null || { echo "libc.sh: --runs wants a positive number" >&2; exit 2; }
ZVM=$BUILD/bin/zvm ZVMCC=$BUILD/bin/zvm-cc
for f in "$ZVM" "$ZVMCC"; do [ -x "$f" ] || { echo "libc.sh: $f not built (make all)" >&2; exit 1; }; done
[ -x /usr/bin/time ] || { echo "libc.sh: /usr/bin/time not installed (Debian's time)" >&2; exit 1; }
export ZVM_RUNTIME_DIR=$BUILD/runtime
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
report=$T/report.md
log() { echo "bench: $*" >&2; }
source tools/bench/lib.sh # median, calc, spread
VARIANTS=(glibc)
command -v musl-gcc >/dev/null && VARIANTS+=(musl) || log "musl-gcc not installed: no native musl column"
VARIANTS+=(default mini)
if [ "$BEFORE" = 1 ]; then
	cp -r "$BUILD/runtime" "$T/rt-before"
	rm -f "$T/rt-before/libzlibc.a" && ar rc "$T/rt-before/libzlibc.a"
	VARIANTS+=(before)
fi
cmd() { # variant kernel -> the command line
	case $1 in
	glibc|musl) echo "$T/$2.$1";;
	*) echo "$ZVM run --report none --timeout 600 $T/$2.$1";;
	esac
}
cpu() { # variant kernel -> CPU seconds of one run
	/usr/bin/time -o "$T/time" -f '%U %S' $(cmd "$1" "$2") >/dev/null
	awk '{print $1 + $2}' "$T/time"
}

{
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), gcc $(gcc -dumpversion), glibc $(ldd --version | head -1 | awk '{print $NF}')$(command -v musl-gcc >/dev/null && echo ", Debian musl $(dpkg-query -W -f '${Version}' musl 2>/dev/null)")."
echo "Command: \`make bench\` (\`tools/bench/libc.sh --runs $RUNS\`), $(date -u '+%Y-%m-%d %H:%M') UTC; load average at the start $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "### Compute kernels by libc: CPU time against \`gcc -O2 -static\` (glibc), $RUNS interleaved rounds, medians"
echo
printf '| kernel | glibc s |'
for v in "${VARIANTS[@]:1}"; do
	case $v in
	musl) printf ' musl native s | ratio |';;
	default) printf ' cell, default libc s | ratio |';;
	mini) printf ' cell, small runtime s | ratio |';;
	before) printf " cell, musl's own s | ratio |";;
	esac
done
echo
printf '|---|---:|'; for v in "${VARIANTS[@]:1}"; do printf -- '---:|---:|'; done; echo
} > "$report"

declare -A logsum worst
for v in "${VARIANTS[@]}"; do logsum[$v]=0 worst[$v]=0; done
count=0 spread=""
for src in tools/bench/kernels/*.c; do
	k=$(basename "$src" .c)
	if [ ${#ONLY[@]} -gt 0 ] && [[ " ${ONLY[*]} " != *" $k "* ]]; then continue; fi
	gcc -O2 -static "$src" -o "$T/$k.glibc"
	[[ " ${VARIANTS[*]} " != *" musl "* ]] || musl-gcc -O2 -static "$src" -o "$T/$k.musl"
	ZVM_LIBC=musl "$ZVMCC" -O2 "$src" -o "$T/$k.default"
	ZVM_LIBC=mini "$ZVMCC" -O2 "$src" -o "$T/$k.mini"
	[ "$BEFORE" = 0 ] || ZVM_RUNTIME_DIR=$T/rt-before ZVM_LIBC=musl "$ZVMCC" -O2 "$src" -o "$T/$k.before"
	"$T/$k.glibc" > "$T/$k.want"
	for v in "${VARIANTS[@]:1}"; do
		$(cmd "$v" "$k") > "$T/$k.got" || { log "$k ($v) exits $?"; exit 1; }
		cmp -s "$T/$k.want" "$T/$k.got" || { log "$k: the $v build's output differs from glibc's"; exit 1; }
		: > "$T/$k.$v.t"
	done
	: > "$T/$k.glibc.t"
	nv=${#VARIANTS[@]}
	for r in $(seq "$RUNS"); do
		for i in $(seq 0 $((nv - 1))); do
			v=${VARIANTS[$(((i + r) % nv))]}
			cpu "$v" "$k" >> "$T/$k.$v.t"
		done
	done
	g=$(median < "$T/$k.glibc.t")
	line="| $k | $(calc "\"%.3f\", $g") |"
	msg="$k: glibc ${g}s"
	for v in "${VARIANTS[@]:1}"; do
		m=$(median < "$T/$k.$v.t")
		ratio=$(calc "\"%.3f\", $m / $g")
		line="$line $(calc "\"%.3f\", $m") | $ratio |"
		msg="$msg, $v ${m}s ($ratio)"
		logsum[$v]=$(calc "\"%.9f\", ${logsum[$v]} + log($ratio)")
		worst[$v]=$(calc "\"%s\", ($ratio > ${worst[$v]}) ? $ratio : ${worst[$v]}")
	done
	echo "$line" >> "$report"
	log "$msg"
	spread="$spread $k $(sort -n "$T/$k.default.t" | awk 'NR == 1 {a = $1} {b = $1} END {printf "%.2f", b / a}'),"
	count=$((count + 1))
done
[ $count -gt 0 ] || { log "no kernel selected"; exit 1; }
line="| **geomean** | |"
for v in "${VARIANTS[@]:1}"; do line="$line | **$(calc "\"%.3f\", exp(${logsum[$v]} / $count)")** |"; done
echo "$line" >> "$report"
line="| largest ratio | |"
for v in "${VARIANTS[@]:1}"; do line="$line | ${worst[$v]} |"; done
echo "$line" >> "$report"
printf '\nSpread of the default column (slowest round / fastest):%s.\n' "${spread%,}" >> "$report"
printf '\nLoad average (1 min) at the end: %s.\n' "$(cut -d' ' -f1 /proc/loadavg)" >> "$report"
echo >&2
cat "$report"
[ -z "$OUT" ] || { mkdir -p "$(dirname "$OUT")"; cp "$report" "$OUT"; }
