#!/bin/bash
# make bench, the compile jail (docs/compile.md): a C hello compiled by
# zvm-cc alone, by zvm-cc then zvm validate (the work the jail does), and
# by zvm-compile (the same in the jail: namespaces, binds, the sources'
# copy, rlimits), wall time per compile; R rounds, the variants taking
# turns, N compiles each per round.
#   tools/bench/compile.sh [--runs N] [--rounds R] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/lib.sh
BUILD=${BUILD:-build}
N=10 R=5 OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--runs) N=$2; shift 2;;
	--rounds) R=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	*) echo "compile.sh: unknown option $1" >&2; exit 2;;
	esac
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/src"
cp examples/hello.c "$T/src/main.c"
CC=$BUILD/bin/zvm-cc ZVM=$BUILD/bin/zvm ZC=$BUILD/bin/zvm-compile
v1() { "$CC" -O2 -o "$T/a.nexe" "$T/src/main.c"; }
v2() { "$CC" -O2 -o "$T/b.nexe" "$T/src/main.c" && "$ZVM" validate "$T/b.nexe" > /dev/null; }
v3() { "$ZC" --lang c --src-dir "$T/src" --out "$T/c.nexe" > "$T/c.json" && grep -q '"status":"ok"' "$T/c.json"; }
names=("zvm-cc -O2 alone" "zvm-cc -O2, then zvm validate" "zvm-compile (the same in the jail)")
for r in $(seq "$R"); do
	for v in 1 2 3; do
		for i in $(seq "$N"); do
			s=$(date +%s%N); v$v; e=$(date +%s%N)
			echo $(( (e - s) / 1000 )) >> "$T/v$v.all"
		done
		tail -n "$N" "$T/v$v.all" | median >> "$T/v$v.rounds"
	done
done
{
echo "Command: \`make bench\` (tools/bench/compile.sh --runs $N --rounds $R), $(date -u +%Y-%m-%d); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), load average $(cut -d' ' -f1 /proc/loadavg) at start."
echo
echo "### A C hello (examples/hello.c) compiled, wall time ($((N * R)) compiles each, $R interleaved rounds)"
echo
echo "| how | median ms | spread of the round medians (slowest / fastest) |"
echo "|---|---:|---:|"
for v in 1 2 3; do
	echo "| ${names[$((v - 1))]} | $(calc "\"%.1f\", $(median < "$T/v$v.all") / 1000") | $(spread "$T/v$v.rounds") |"
done
} | tee ${OUT:+"$OUT"}
