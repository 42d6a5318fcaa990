#!/bin/bash
# The in-sandbox runtime (runtime/): each program in tests/runtime is built
# natively with gcc -O2 (glibc) and with zvm-cc -O2, run natively and in a
# cell with the same arguments and stdin, and must give the same stdout,
# stderr and exit code byte for byte. argv[0] is the same on both sides
# (the native run is started with exec -a). TAP output; skips cleanly when
# zvm, zvm-cc or the runtime are not built yet.
set -u
cd "$(dirname "$0")/../.." || exit 1
# the small runtime of runtime/ (musl + ZRT are tested by tests/conformance/)
export ZVM_LIBC=mini
BUILD=${BUILD:-build}
ZVM=$BUILD/bin/zvm ZVMCC=$BUILD/bin/zvm-cc
n=0
ok()   { n=$((n+1)); echo "ok $n - $*"; }
nok()  { n=$((n+1)); echo "not ok $n - $*"; }
skip() { n=$((n+1)); echo "ok $n # skip $*"; }

progs=(printf malloc sort strtol strings int128 math argv stdin exit)
why=
if [ ! -x "$ZVMCC" ]; then why="zvm-cc not built ($ZVMCC)"
elif [ ! -f "$BUILD/runtime/libzvmrt.a" ] || [ ! -f "$BUILD/runtime/crt0.o" ]; then why="runtime not built ($BUILD/runtime)"
elif [ ! -x "$ZVM" ]; then why="zvm not built ($ZVM)"
elif ! "$ZVM" run --help >/dev/null 2>&1; then why="zvm run does not start"
fi
if [ -n "$why" ]; then
	for p in "${progs[@]}"; do skip "$p: $why"; done
	exit 0
fi

T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
# stdin: short lines, a line longer than fgets' buffer, no final newline,
# and enough bytes after them for several reads
{
	printf 'first line\nsecond\n\nthis line is much longer than the forty-byte buffer of fgets\n'
	for i in $(seq 1 3000); do printf 'row %d of the bulk part %d\n' "$i" $((i * i)); done
	printf 'no newline at the end'
} > "$T/input"

built=()
for p in "${progs[@]}"; do
	src=tests/runtime/$p.c
	if ! gcc -O2 -w "$src" -o "$T/$p" -lm 2>"$T/err"; then nok "$p: native build: $(head -3 "$T/err")"; continue; fi
	if ! "$ZVMCC" -O2 "$src" -o "$T/$p.nexe" 2>"$T/err"; then nok "$p: zvm-cc -O2: $(head -5 "$T/err")"; continue; fi
	built+=("$p")
done

# run_both NAME TEST-LABEL ARGS...: same stdin, argv[0] = NAME.nexe on both sides
run_both() {
	local p=$1 label=$2; shift 2
	( exec -a "$p.nexe" "$T/$p" "$@" ) < "$T/input" > "$T/n.out" 2> "$T/n.err"; local nrc=$?
	"$ZVM" run "$T/$p.nexe" -- "$@" < "$T/input" > "$T/z.out" 2> "$T/z.err"; local zrc=$?
	if [ "$zrc" != "$nrc" ]; then nok "$label: exit $zrc in the cell, $nrc native $(head -c 300 "$T/z.err")"; return; fi
	if ! cmp -s "$T/n.out" "$T/z.out"; then
		nok "$label: stdout differs: $(diff "$T/n.out" "$T/z.out" | head -6 | tr '\n' '|')"; return
	fi
	if ! cmp -s "$T/n.err" "$T/z.err"; then
		nok "$label: stderr differs: $(diff "$T/n.err" "$T/z.err" | head -4 | tr '\n' '|')"; return
	fi
	ok "$label: same stdout ($(wc -c < "$T/z.out") bytes), stderr and exit code ($zrc) as glibc"
}

for p in "${built[@]}"; do
	case $p in
	argv)
		run_both argv "argv: no arguments"
		run_both argv "argv: several arguments" alpha "two words" "" '$HOME*' "$(printf 'tab\there')"
		;;
	exit)
		run_both exit "exit(0) from a nested call" 0
		run_both exit "exit(3) from a nested call, atexit order, stdout flushed" 3
		run_both exit "exit(255)" 255
		run_both exit "exit(256) wraps to 0" 256
		run_both exit "return 42 from main" 42 viareturn
		;;
	*)
		run_both "$p" "$p"
		;;
	esac
done

# stdin to stdout through the example cat: binary-safe and whole
if [ -x "$BUILD/examples/cat.nexe" ] || "$ZVMCC" -O2 examples/cat.c -o "$T/cat.nexe" 2>/dev/null; then
	cat_nexe=$BUILD/examples/cat.nexe; [ -x "$cat_nexe" ] || cat_nexe=$T/cat.nexe
	head -c 300000 /dev/urandom > "$T/bin"
	if "$ZVM" run "$cat_nexe" < "$T/bin" > "$T/bin.out" 2>"$T/err" && cmp -s "$T/bin" "$T/bin.out"; then
		ok "examples/cat copies 300000 random bytes of stdin to stdout unchanged"
	else nok "examples/cat: $(head -3 "$T/err")"; fi
else nok "examples/cat: not built"; fi
