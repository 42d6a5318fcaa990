#!/bin/bash
# make bench, musl/ZRT/Lua part: real programs native vs in a cell.
#   tools/bench/musl.sh [--runs N] [--out FILE] [--no-build-times]
#
# 1. Lua: each tools/bench/lua/W.lua run by Debian's `lua5.4` and by
#    `zvm run build/lua.nexe` (the script travels in an image tar, as a
#    user's would); outputs must match; N interleaved runs (default 5),
#    medians, ratio per workload and the geometric mean.
# 2. C: tools/bench/c/stdio_malloc.c built with gcc -O2 -static (glibc),
#    musl-gcc -O2 -static (Debian's musl, native: the same libc without SFI
#    and ZRT) and zvm-cc -O2 (musl + ZRT in a cell).
# 3. System calls: ns per call natively (the kernel) and in a cell (ZRT).
# 4. Build time: musl's libc.a and Lua's 33 files compiled by zvm-cc vs by
#    plain gcc, same flags, same parallelism (make -j$(nproc)).
# Whole-process times (start-up included: a few ms against ~1 s).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNS=5 OUT="" BUILD_TIMES=1
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	--no-build-times) BUILD_TIMES=0; shift;;
	-h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
	*) echo "musl.sh: unknown option $1 (see --help)" >&2; exit 2;;
	esac
done
[ "$RUNS" -ge 1 ] 2>/dev/null || { echo "musl.sh: --runs wants a positive number" >&2; exit 2; }
ZVM=$BUILD/bin/zvm ZVMCC=$BUILD/bin/zvm-cc LUA=$BUILD/lua.nexe
export ZVM_RUNTIME_DIR=$BUILD/runtime ZVM_LIBC=musl
for f in "$ZVM" "$ZVMCC" "$LUA"; do [ -x "$f" ] || { echo "musl.sh: $f not built (make all)" >&2; exit 1; }; done
command -v lua5.4 >/dev/null || { echo "musl.sh: lua5.4 not installed (make deps)" >&2; exit 1; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
report=$T/report.md
log() { echo "bench: $*" >&2; }
now() { echo "${EPOCHREALTIME/./}"; }
source tools/bench/lib.sh # median, calc, spread
zrun() { "$ZVM" run --report none --timeout 600 --memory 2G "$@"; }

{
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), gcc $(gcc -dumpversion), $(lua5.4 -v 2>&1 | cut -d' ' -f1-2) (Debian)."
echo "Command: \`make bench\` (\`tools/bench/musl.sh --runs $RUNS\`), $(date -u '+%Y-%m-%d %H:%M') UTC; load average at the start $(cut -d' ' -f1 /proc/loadavg)."
} > "$report"

# interleaved timing of two commands (files holding a command line each)
pair() { # name, native command..., ---, cell command...
	local name=$1; shift
	local -a a=() b=()
	while [ "$1" != --- ]; do a+=("$1"); shift; done; shift
	b=("$@")
	: > "$T/n"; : > "$T/z"
	for r in $(seq "$RUNS"); do
		if [ $((r % 2)) = 1 ]; then
			s=$(now); "${a[@]}" >/dev/null 2>&1; e=$(now); echo $((e - s)) >> "$T/n"
			s=$(now); "${b[@]}" >/dev/null 2>&1; e=$(now); echo $((e - s)) >> "$T/z"
		else
			s=$(now); "${b[@]}" >/dev/null 2>&1; e=$(now); echo $((e - s)) >> "$T/z"
			s=$(now); "${a[@]}" >/dev/null 2>&1; e=$(now); echo $((e - s)) >> "$T/n"
		fi
	done
	N=$(median < "$T/n") Z=$(median < "$T/z")
}

# ---- 1. Lua ------------------------------------------------------------------
{
echo
echo "### Lua 5.4: Debian's \`lua5.4\` vs \`zvm run lua.nexe\` ($RUNS interleaved runs, medians)"
echo
echo "| workload | native s | cell s | ratio |"
echo "|---|---:|---:|---:|"
} >> "$report"
logsum=0 count=0
for src in tools/bench/lua/*.lua; do
	w=$(basename "$src" .lua)
	mkdir -p "$T/img-$w"
	cp "$src" "$T/img-$w/$w.lua"
	tar -C "$T/img-$w" -cf "$T/$w.tar" "$w.lua"
	(cd "$T/img-$w" && lua5.4 "$w.lua") > "$T/$w.nout"
	zrun --image "$T/$w.tar" "$LUA" -- "$w.lua" > "$T/$w.zout"
	cmp -s "$T/$w.nout" "$T/$w.zout" || { log "$w: outputs differ"; diff "$T/$w.nout" "$T/$w.zout" | head >&2; exit 1; }
	pair "$w" lua5.4 "$src" --- "$ZVM" run --report none --timeout 600 --memory 2G --image "$T/$w.tar" "$LUA" -- "$w.lua"
	ratio=$(calc "\"%.3f\", $Z / $N")
	printf '| %s | %.3f | %.3f | %s |\n' "$w" "$(calc "\"%.6f\", $N / 1e6")" "$(calc "\"%.6f\", $Z / 1e6")" "$ratio" >> "$report"
	log "lua $w: native $N us, cell $Z us, ratio $ratio"
	logsum=$(calc "\"%.9f\", $logsum + log($ratio)"); count=$((count + 1))
done
echo "| **geometric mean** | | | **$(calc "\"%.3f\", exp($logsum / $count)")** |" >> "$report"

# ---- 2. C: stdio and malloc ----------------------------------------------------
src=tools/bench/c/stdio_malloc.c
gcc -O2 -static "$src" -o "$T/sm.glibc"
"$ZVMCC" -O2 "$src" -o "$T/sm.nexe"
"$T/sm.glibc" > "$T/sm.out" 2> "$T/sm.nerr"
zrun "$T/sm.nexe" > "$T/sm.zout" 2> "$T/sm.zerr"
cmp -s "$T/sm.out" "$T/sm.zout" && cmp -s "$T/sm.nerr" "$T/sm.zerr" || { log "stdio_malloc: outputs differ"; exit 1; }
{
echo
echo "### C, stdio and malloc (\`tools/bench/c/stdio_malloc.c\`, 3 M rounds, ~55 MB of output to /dev/null; $RUNS interleaved runs, medians)"
echo
echo "| native build | native s | cell s (\`zvm-cc -O2\`, musl + ZRT) | ratio |"
echo "|---|---:|---:|---:|"
} >> "$report"
pair glibc "$T/sm.glibc" --- "$ZVM" run --report none --timeout 600 "$T/sm.nexe"
printf '| `gcc -O2 -static` (glibc 2.36) | %.3f | %.3f | %.3f |\n' "$(calc "\"%.6f\", $N / 1e6")" "$(calc "\"%.6f\", $Z / 1e6")" "$(calc "\"%.6f\", $Z / $N")" >> "$report"
log "stdio_malloc vs glibc: native $N us, cell $Z us"
if command -v musl-gcc >/dev/null; then
	musl-gcc -O2 -static "$src" -o "$T/sm.musl"
	pair musl "$T/sm.musl" --- "$ZVM" run --report none --timeout 600 "$T/sm.nexe"
	printf '| `musl-gcc -O2 -static` (Debian musl 1.2.3: the same libc, no SFI, no ZRT) | %.3f | %.3f | %.3f |\n' "$(calc "\"%.6f\", $N / 1e6")" "$(calc "\"%.6f\", $Z / 1e6")" "$(calc "\"%.6f\", $Z / $N")" >> "$report"
	log "stdio_malloc vs musl: native $N us, cell $Z us"
fi

# ---- 3. system calls: the kernel natively, ZRT in the cell ----------------------
src=tools/bench/c/syscalls.c
gcc -O2 -static "$src" -o "$T/sc.native"
"$ZVMCC" -O2 "$src" -o "$T/sc.nexe"
mkdir -p "$T/scdir"
zvm_abs=$(cd "$(dirname "$ZVM")" && pwd)/zvm
timed() { # command... -> microseconds, median of 3
	for r in 1 2 3; do s=$(now); (cd "$T/scdir" && "$@") >/dev/null 2>&1; e=$(now); echo $((e - s)); done | median
}
{
echo
echo "### System calls: native (glibc, the kernel) vs in a cell (musl, answered by ZRT), ns per call"
echo
echo "| operation | native ns | cell ns |"
echo "|---|---:|---:|"
} >> "$report"
for row in "getpid 1000000 10000000" "clock 10000000 10000000" "devnull 1000000 10000000" "file 50000 1000000"; do
	set -- $row
	op=$1 nn=$2 nz=$3
	a0=$(timed "$T/sc.native" "$op" 0) a=$(timed "$T/sc.native" "$op" "$nn")
	b0=$(timed "$zvm_abs" run --report none "$T/sc.nexe" -- "$op" 0) b=$(timed "$zvm_abs" run --report none "$T/sc.nexe" -- "$op" "$nz")
	printf '| %s | %.0f | %.0f |\n' "$(case $op in getpid) echo '`getpid` (raw syscall)';; clock) echo '`clock_gettime(CLOCK_MONOTONIC)` (vDSO natively)';;
		devnull) echo '`write` of 10 bytes to /dev/null';; file) echo 'file round trip: open(O_CREAT\|O_TRUNC), write, fstat, pread, close, unlink';; esac)" \
		"$(calc "\"%.3f\", ($a - $a0) * 1000 / $nn")" "$(calc "\"%.3f\", ($b - $b0) * 1000 / $nz")" >> "$report"
	log "syscall $op: native $a us for $nn, cell $b us for $nz"
done

# ---- 4. build times --------------------------------------------------------------
if [ "$BUILD_TIMES" = 1 ]; then
	j=$(nproc)
	build_musl() { # CC
		rm -rf "$T/mb" && mkdir -p "$T/mb"
		(cd "$T/mb" && "$musl_src/configure" --target=x86_64 CC="$1" --disable-shared >/dev/null 2>&1 &&
			make -s -j"$j" AR=ar RANLIB=ranlib CFLAGS=-O2 lib/libc.a >/dev/null 2>&1)
	}
	build_lua() { # CC
		rm -rf "$T/lb" && mkdir -p "$T/lb"
		printf '#define DEB_HOST_MULTIARCH "x86_64-linux-gnu"\n' > "$T/lb/lua5.4-deb-multiarch.h"
		ls "$BUILD"/src/lua5.4/src/*.c | grep -v luac.c | xargs -P"$j" -I{} sh -c \
			"$1 -O2 -std=gnu99 -w -DLUA_COMPAT_5_3 -DLUA_USE_POSIX -I$T/lb -c {} -o $T/lb/\$(basename {} .c).o"
	}
	zcc=$(cd "$(dirname "$ZVMCC")" && pwd)/zvm-cc
	musl_src=$(cd "$BUILD/src/musl" && pwd)
	export ZVM_RUNTIME_DIR=$(cd "$BUILD/runtime" && pwd)
	s=$(now); build_musl gcc; e=$(now); mg=$((e - s))
	s=$(now); build_musl "$zcc"; e=$(now); mz=$((e - s))
	s=$(now); build_lua gcc; e=$(now); lg=$((e - s))
	s=$(now); build_lua "$zcc"; e=$(now); lz=$((e - s))
	{
	echo
	echo "### Build time, plain gcc vs zvm-cc (gcc -S, the rewriter, as), make -j$j, one run each"
	echo
	echo "| what | gcc s | zvm-cc s | ratio |"
	echo "|---|---:|---:|---:|"
	printf '| musl 1.2.3 `lib/libc.a` (1,341 objects; configure included) | %.1f | %.1f | %.2f |\n' "$(calc "\"%.3f\", $mg / 1e6")" "$(calc "\"%.3f\", $mz / 1e6")" "$(calc "\"%.3f\", $mz / $mg")"
	printf '| Lua 5.4 (33 files) | %.1f | %.1f | %.2f |\n' "$(calc "\"%.3f\", $lg / 1e6")" "$(calc "\"%.3f\", $lz / 1e6")" "$(calc "\"%.3f\", $lz / $lg")"
	} >> "$report"
	log "build: musl gcc $mg us, zvm-cc $mz us; lua gcc $lg us, zvm-cc $lz us"
fi

cat "$report"
[ -z "$OUT" ] || cp "$report" "$OUT"
