#!/bin/bash
# The toolchain end to end: each program in tests/toolchain is built with
# gcc (natively) and with zvm-cc at -O0 -O1 -O2 -O3 -Os, validated, run in a
# cell and compared byte for byte with the native run (stdout, stderr, exit
# code). Also: the rewriter's errors name file and line, and a refused flag
# is refused. TAP output.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ZVM=$BUILD/bin/zvm ZVMCC=$BUILD/bin/zvm-cc
n=0
ok()   { n=$((n+1)); echo "ok $n - $*"; }
nok()  { n=$((n+1)); echo "not ok $n - $*"; }
if [ ! -x "$ZVM" ] || [ ! -x "$ZVMCC" ] || [ ! -f "$BUILD/runtime/libzvmrt.a" ]; then
	echo "ok 1 # skip zvm, zvm-cc or the runtime not built"; exit 0
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
printf 'line one\nline two\nline three\nline four\n' > "$T/input"

check_program() { # name sources...
	local name=$1; shift
	local args="alpha beta"
	gcc -O2 -w "$@" -o "$T/$name.native" -lm 2>"$T/err" || { nok "$name: native build: $(head -3 "$T/err")"; return; }
	"$T/$name.native" $args < "$T/input" > "$T/$name.nout" 2> "$T/$name.nerr"; local nrc=$?
	for opt in -O0 -O1 -O2 -O3 -Os; do
		local nexe=$T/$name$opt.nexe
		if ! "$ZVMCC" $opt "$@" -o "$nexe" 2>"$T/err"; then nok "$name $opt: zvm-cc: $(head -5 "$T/err")"; continue; fi
		if ! "$ZVM" validate "$nexe" > "$T/val" 2>&1; then nok "$name $opt: not valid: $(head -3 "$T/val")"; continue; fi
		"$ZVM" run --report none "$nexe" -- $args < "$T/input" > "$T/$name.zout" 2> "$T/$name.zerr"; local zrc=$?
		if [ $zrc != $nrc ]; then nok "$name $opt: exit $zrc, native $nrc"; continue; fi
		if ! cmp -s "$T/$name.nout" "$T/$name.zout"; then nok "$name $opt: stdout differs: $(diff "$T/$name.nout" "$T/$name.zout" | head -5)"; continue; fi
		if ! cmp -s "$T/$name.nerr" "$T/$name.zerr"; then nok "$name $opt: stderr differs"; continue; fi
		ok "$name $opt: valid, same output and exit code as native"
	done
}
for c in tests/toolchain/*.c; do
	base=$(basename "$c" .c)
	[ "$base" = hand_main ] && continue
	check_program "$base" "$c"
done
check_program hand tests/toolchain/hand_main.c tests/toolchain/hand.s tests/toolchain/hand_pp.S

# -S gives rewritten assembly: bundle mode on, no plain ret left
"$ZVMCC" -O2 -S tests/toolchain/recursion.c -o "$T/r.s"
if grep -q 'bundle_align_mode 5' "$T/r.s" && ! grep -qE '^\s+ret\b' "$T/r.s"; then ok "-S output is rewritten"; else nok "-S output is rewritten"; fi
# errors name the input file and line
printf '\t.text\n\tnop\n\tmovq %%gs:8, %%rax\n' > "$T/bad.s"
if ! "$ZVMCC" -c "$T/bad.s" -o "$T/bad.o" 2>"$T/err" && grep -q "bad.s:3:" "$T/err"; then
	ok "rewriter error names file and line ($(head -1 "$T/err"))"
else nok "rewriter error names file and line: $(cat "$T/err")"; fi
printf '\t.text\n\tint $0x80\n' > "$T/bad2.s"
if ! "$ZVMCC" -c "$T/bad2.s" -o "$T/bad2.o" 2>"$T/err" && grep -q "bad2.s:2:" "$T/err"; then ok "int \$0x80 refused with file:line"; else nok "int \$0x80 refused: $(cat "$T/err")"; fi
if ! "$ZVMCC" -fPIC -c tests/toolchain/io.c -o "$T/x.o" 2>"$T/err" && grep -q "fPIC" "$T/err"; then ok "-fPIC refused"; else nok "-fPIC refused"; fi
"$ZVMCC" --help | grep -q '^usage: zvm-cc' && ok "zvm-cc --help" || nok "zvm-cc --help"
