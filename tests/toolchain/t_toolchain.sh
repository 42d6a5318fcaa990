#!/bin/bash
# The toolchain (zvm-cc), TAP output. Two parts:
#  1. without the runtime or the validator: each program in tests/toolchain
#     (C at -O0 -O1 -O2 -O3 -Os, the hand-written .s and .S) compiled with
#     -c and its disassembly checked by sficheck.awk (no ret, no unmasked
#     indirect branch, no 64-bit address, no instruction across a bundle,
#     bundle starts after calls and at functions); -S gives the assembly the
#     object is built from; the linker script's layout on a hand-written
#     start; refused flags and instructions name the file and line; the
#     driver's -v, -save-temps, temporary directory, --help, --version.
#  2. with zvm and the runtime built: each program linked, validated by
#     `zvm validate`, run in a cell and compared byte for byte (stdout,
#     stderr, exit code) with the native gcc build; skipped otherwise.
set -u
# the small runtime by default (no musl needed to run this suite)
export ZVM_LIBC=${ZVM_LIBC:-mini}
. "$(dirname "$0")/../lib.sh"
ZVMCC=$BUILD/bin/zvm-cc
CHECK=tests/toolchain/sficheck.awk
OPTS="-O0 -O1 -O2 -O3 -Os"
# one-file programs; hand_main and tls_main need their other parts
PROGS=$(ls tests/toolchain/*.c | grep -vE 'hand_main|tls_(main|part)')
PARTS="tests/toolchain/hand_main.c tests/toolchain/tls_main.c tests/toolchain/tls_part.c"

if [ ! -x "$ZVMCC" ]; then skip "zvm-cc not built ($ZVMCC)"; exit 0; fi
ZVMCC_ABS=$(cd "$(dirname "$ZVMCC")" && pwd)/zvm-cc
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache

# The runtime directory: the built one, or (part 1 only needs the headers
# and the linker script) one made of the sources.
if [ -f "$BUILD/runtime/libzvmrt.a" ] && [ -f "$BUILD/runtime/crt0.o" ]; then
	RT=$(cd "$BUILD/runtime" && pwd) have_rt=1
else
	RT=$T/rt have_rt=0
	mkdir -p "$RT" && ln -s "$PWD/runtime/include" "$RT/include" && ln -s "$PWD/runtime/zvm.ld" "$RT/zvm.ld"
fi
export ZVM_RUNTIME_DIR=$RT
have_zvm=0; [ -x "$ZVM" ] && "$ZVM" validate --help >/dev/null 2>&1 && have_zvm=1

# ---- 1. objects, without the runtime ------------------------------------
check_object() { # what object
	if objdump -d --insn-width=15 "$2" | awk -f "$CHECK" > "$T/chk" 2>&1; then
		ok "$1: object follows the SFI conventions ($(tail -1 "$T/chk"))"
	else
		nok "$1: $(grep -v '^checked' "$T/chk" | head -3 | tr '\n' ';')"
	fi
}
for c in $PROGS $PARTS; do
	base=$(basename "$c" .c)
	for opt in $OPTS; do
		if "$ZVMCC" $opt -c "$c" -o "$T/$base$opt.o" 2>"$T/err"; then
			check_object "$base $opt -c" "$T/$base$opt.o"
		else nok "$base $opt -c: $(head -3 "$T/err" | tr '\n' ';')"; fi
	done
done
# position-independent code (accepted: it links statically like any other)
for c in $PROGS $PARTS; do
	base=$(basename "$c" .c)
	for opt in -fPIC -fpic; do
		if "$ZVMCC" -O2 $opt -c "$c" -o "$T/$base$opt.o" 2>"$T/err"; then
			check_object "$base -O2 $opt -c" "$T/$base$opt.o"
		else nok "$base -O2 $opt -c: $(head -3 "$T/err" | tr '\n' ';')"; fi
	done
done
for s in tests/toolchain/hand.s tests/toolchain/hand_pp.S; do
	if "$ZVMCC" -c "$s" -o "$T/hand.o" 2>"$T/err"; then check_object "$(basename "$s") -c" "$T/hand.o"
	else nok "$(basename "$s") -c: $(head -3 "$T/err" | tr '\n' ';')"; fi
done

# The checker itself must see breaches: an unrewritten object fails it.
printf '\t.text\nf:\n\tmovq (%%rax), %%rbx\n\tjmp *%%rcx\n\tret\n' > "$T/raw.s"
as "$T/raw.s" -o "$T/raw.o"
if ! objdump -d --insn-width=15 "$T/raw.o" | awk -f "$CHECK" > "$T/chk" &&
   grep -q address-64 "$T/chk" && grep -q unmasked "$T/chk" && grep -q plain-return "$T/chk"; then
	ok "sficheck.awk flags a 64-bit address, an unmasked jump and a ret in plain gas output"
else nok "sficheck.awk misses breaches: $(cat "$T/chk")"; fi

# -S output is the rewritten assembly, and it is what -c assembles
"$ZVMCC" -O2 -S tests/toolchain/features.c -o "$T/f.s" && as --64 "$T/f.s" -o "$T/fs.o" &&
"$ZVMCC" -O2 -c tests/toolchain/features.c -o "$T/fc.o"
objcopy -O binary -j .text "$T/fs.o" "$T/fs.bin" 2>/dev/null; objcopy -O binary -j .text "$T/fc.o" "$T/fc.bin" 2>/dev/null
if grep -q '^\s*\.bundle_align_mode 5' "$T/f.s" && ! grep -qE '^\s+(rep )?ret' "$T/f.s" &&
   [ -s "$T/fc.bin" ] && cmp -s "$T/fs.bin" "$T/fc.bin"; then
	ok "-S gives the rewritten assembly; assembled, it is byte for byte the -c object's text"
else nok "-S output differs from what -c builds"; fi
# 2**6 where a loop is kept in one 64-byte line (docs/sfi.md §4)
if objdump -h "$T/fc.o" | awk '$2 == ".text" && ($7 == "2**5" || $7 == "2**6") { f = 1 } END { exit !f }'; then
	ok "bundle mode took effect: .text is 32-byte aligned (or 64)"
else nok "bundle mode: .text alignment $(objdump -h "$T/fc.o" | awk '$2 == ".text" { print $7 }')"; fi

# The driver: forced flags, temporary files, -E, usage, refusals
"$ZVMCC" -v -O1 -c tests/toolchain/io.c -o "$T/io.o" 2>"$T/v"
if grep -q -- '-ffixed-r11' "$T/v" && grep -q -- '-mno-red-zone' "$T/v" && grep -q -- '-fno-pic' "$T/v" &&
   grep -q -- '-nostdinc' "$T/v" && grep -q '^as ' "$T/v"; then ok "-v prints gcc (with the forced flags) and as"
else nok "-v: $(head -3 "$T/v")"; fi
mkdir -p "$T/tmp"
TMPDIR=$T/tmp "$ZVMCC" -c tests/toolchain/io.c -o "$T/io.o"
if [ -z "$(ls -A "$T/tmp")" ]; then ok "temporary directory removed at exit"; else nok "temporaries left: $(ls "$T/tmp")"; fi
TMPDIR=$T/tmp "$ZVMCC" -save-temps -c tests/toolchain/io.c -o "$T/io.o" 2>/dev/null
if ls "$T"/tmp/zvm-cc-*/*.zvm.s >/dev/null 2>&1; then ok "-save-temps keeps the rewritten assembly"; else nok "-save-temps"; fi
if "$ZVMCC" -E tests/toolchain/hand_pp.S 2>/dev/null | grep -q 'asm_scale'; then ok "-E preprocesses to stdout"; else nok "-E"; fi
(cd "$T" && "$ZVMCC_ABS" -MMD -c "$OLDPWD/tests/toolchain/io.c" -o sub.o)
if grep -q '^sub.o:.*io.c' "$T/sub.d"; then ok "-MMD -c writes the dependencies next to the object, naming it"
else nok "-MMD: $(cat "$T/sub.d" 2>&1 | head -2)"; fi
if [ $have_rt = 1 ] && "$ZVMCC" -Wl,-Map,"$T/map",--gc-sections tests/toolchain/io.c -o "$T/io.nexe" && [ -s "$T/map" ]; then
	ok "-Wl,a,b passes a and b to the linker"
elif [ $have_rt = 0 ]; then skip "-Wl: runtime not built"; else nok "-Wl,-Map,F,--gc-sections"; fi
if [ $have_rt = 0 ]; then skip "Debian's libraries out of reach: runtime not built"
elif ! "$ZVMCC" tests/toolchain/io.c -lc -o "$T/x.nexe" 2>"$T/err" && grep -q 'cannot find -lc' "$T/err"; then
	ok "Debian's libc and libgcc are out of the link's reach (-lc not found)"
else nok "-lc was found: $(cat "$T/err")"; fi
"$ZVMCC" --help | grep -q '^usage: zvm-cc' && ok "--help" || nok "--help"
"$ZVMCC" --version | grep -q '^zvm-cc' && ok "--version" || nok "--version"
if ! "$ZVMCC" -shared tests/toolchain/io.c -o "$T/x.so" 2>"$T/err" && grep -q -- '-shared' "$T/err" &&
   grep -q 'ar rcs libNAME.a' "$T/err" && [ ! -e "$T/x.so" ]; then ok "-shared refused, saying how to build the static library instead"
else nok "-shared: $(cat "$T/err")"; fi
if [ $have_rt = 0 ] || [ $have_zvm = 0 ]; then skip "-rdynamic: no runtime or zvm built"
elif "$ZVMCC" -rdynamic tests/toolchain/io.c -o "$T/rd.nexe" 2>"$T/err" && "$ZVM" validate "$T/rd.nexe" >/dev/null 2>&1; then
	ok "-rdynamic (CMake's Linux link flag) is ignored: the image links and validates"
else nok "-rdynamic: $(cat "$T/err")"; fi
for f in -mavx2 -mbmi2 -m32 -march=native -fstack-protector-strong -flto; do
	if ! "$ZVMCC" $f -c tests/toolchain/io.c -o "$T/x.o" 2>"$T/err" && grep -q -- "$f" "$T/err"; then ok "$f refused"
	else nok "$f refused: $(cat "$T/err")"; fi
done
bad_asm() { # what line-number text [extension]
	local f=bad.${4:-s}
	printf '%b' "$3" > "$T/$f"
	if ! "$ZVMCC" -c "$T/$f" -o "$T/bad.o" 2>"$T/err" && grep -q "$f:$2:" "$T/err"; then
		ok "$1 refused with file:line ($(head -1 "$T/err" | sed "s|$T/||"))"
	else nok "$1 refused: $(cat "$T/err")"; fi
}
bad_asm "%gs operand" 3 '\t.text\n\tnop\n\tmovq %gs:8, %rax\n'
bad_asm "a register-based %fs operand" 2 '\t.text\n\tmovq %fs:(%rdx), %rax\n'
bad_asm "a symbolic %fs operand" 2 '\t.text\n\tmovq %fs:x@tpoff, %rax\n'
bad_asm "int \$0x80" 2 '\t.text\n\tint $0x80\n'
bad_asm "sysenter" 4 '\t.text\n# c\n\tnop\n\tsysenter\n'
bad_asm "far jump" 2 '\t.text\n\tljmp *(%rax)\n'
bad_asm "pop %rsp" 2 '\t.text\n\tpopq %rsp\n'
bad_asm "int \$0x80 in a .S (line of the .S, not of cpp's output)" 5 '#define N 0x80\n/* c */\n\t.text\n\tnop\n\tint $N\n' S
printf 'int f(void) { return 1; }\nint g(void) { __asm__("int $0x80"); return 0; }\n' > "$T/inl.c"
if ! "$ZVMCC" -c "$T/inl.c" -o "$T/inl.o" 2>"$T/err" && grep -q 'inl.c:2:' "$T/err"; then
	ok "inline asm in C refused, message names the C file and line ($(head -1 "$T/err" | sed "s|$T/||"))"
else nok "inline asm refused: $(cat "$T/err")"; fi
if ! "$ZVMCC" -c "$T/nosuch.f90" 2>"$T/err" && grep -q 'unknown kind of input' "$T/err"; then ok "unknown input kind refused"
else nok "unknown input kind: $(cat "$T/err")"; fi

# A GOT slot the static link cannot turn into lea (the address of the
# slot itself): the script puts .got with the data
printf '\t.section .text.zvm_start,"ax",@progbits\n\t.globl _start\n_start:\n\tleaq value@GOTPCREL(%%rip), %%rax\n\tmovq (%%rax), %%rax\n\tmovl (%%rax), %%edi\n\tcall zvm_trap_exit\n\thlt\n\t.data\nvalue:\t.long 42\n' > "$T/got.s"
if "$ZVMCC" -nostdlib "$T/got.s" -o "$T/got.nexe" 2>"$T/err"; then
	seg=$(readelf -lW "$T/got.nexe" | awk '/Segment Sections/ { s = 1; next } s && /\.got/ { print $2, $3, $4 }')
	if [ $have_zvm = 1 ] && "$ZVM" validate "$T/got.nexe" >/dev/null 2>&1; then
		"$ZVM" run --report none "$T/got.nexe" >/dev/null 2>&1; rc=$?
	else rc=skip; fi
	if [ "$seg" = ".data .got " ] || [ "$seg" = ".data .got" ] && { [ "$rc" = 42 ] || [ "$rc" = skip ]; }; then
		ok "zvm.ld: a GOT slot lands in the data segment; the program reads through it (exit $rc)"
	else nok "GOT: segment [$seg], exit $rc"; fi
else nok "GOT: $(head -3 "$T/err")"; fi

# The linker script on a hand-written start (no runtime needed)
cat > "$T/start.s" <<'EOF'
	.section .text.zvm_start,"ax",@progbits
	.globl _start
_start:
	movl msg(%rip), %edi
	addl counter(%rip), %edi
	call zvm_trap_exit
	hlt
	.text
	.type helper, @function
helper:
	ret
	.section .rodata
msg:	.long 40
	.data
counter: .long 2
	.bss
buf:	.zero 100
EOF
if "$ZVMCC" -nostdlib "$T/start.s" -o "$T/start.nexe" 2>"$T/err"; then
	readelf -lhsW "$T/start.nexe" > "$T/elf"
	# LOAD offset vaddr paddr filesz memsz FLAGS align: flags are fields 7..NF-1
	loads=$(awk '$1 == "LOAD" { f = ""; for (i = 7; i < NF; i++) f = f $i; print $3 "/" f }' "$T/elf" | tr '\n' ' ')
	entry=$(awk '/Entry point/ { print $NF }' "$T/elf")
	if [ "$entry" = 0x11000 ] && [ "$(echo $loads | wc -w)" = 3 ] &&
	   echo "$loads" | grep -q '^0x0000000000011000/RE 0x[0-9a-f]*/R 0x[0-9a-f]*/RW $'; then
		ok "zvm.ld: _start at 0x11000, three PT_LOADs: text R-X at 0x11000, R, RW [$loads]"
	else nok "zvm.ld layout: entry $entry loads $loads"; fi
	traps=$(for t in read write heap exit; do awk -v s=zvm_trap_$t '$NF == s && $7 == "ABS" { print $2 }' "$T/elf"; done | tr '\n' ' ')
	if [ "$traps" = "0000000000010000 0000000000010020 0000000000010040 0000000000010060 " ]; then
		ok "zvm.ld: absolute trap symbols read/write/heap/exit at 0x10000 + 32n"
	else nok "zvm.ld trap symbols: $traps"; fi
	if ! readelf -SW "$T/start.nexe" | grep -qE '\.(eh_frame|comment|note)' &&
	   readelf -lW "$T/start.nexe" | grep -q GNU_STACK && ! readelf -lW "$T/start.nexe" | grep -qE 'INTERP|DYNAMIC'; then
		ok "zvm.ld: no .eh_frame/.comment/.note, a GNU_STACK header, no INTERP/DYNAMIC"
	else nok "zvm.ld: unwanted sections or headers"; fi
	if [ $have_zvm = 1 ]; then
		if "$ZVM" validate "$T/start.nexe" > "$T/val" 2>&1; then ok "hand-written start image is valid"
		else nok "hand-written start image: $(cat "$T/val")"; fi
		"$ZVM" run --report none "$T/start.nexe" >/dev/null 2>&1; rc=$?
		if [ $rc = 42 ]; then ok "hand-written start image reads rodata and data, exits 42 through the trap"
		else nok "hand-written start image exit $rc, want 42"; fi
	else skip "zvm not built: hand-written start image not validated"; skip "zvm not built: not run"; fi
else
	nok "link of a hand-written start: $(head -3 "$T/err")"
fi

# ---- 2. linked, validated and run against native ------------------------
why=
if [ $have_rt = 0 ]; then why="runtime not built ($BUILD/runtime)"
elif [ $have_zvm = 0 ]; then why="zvm not built ($ZVM)"; fi
printf 'line one\nline two\nline three\nline four\n' > "$T/input"

check_program() { # name sources...
	local name=$1; shift
	local args="alpha beta"
	if [ -n "$why" ]; then for opt in $OPTS; do skip "$name $opt: $why"; done; return; fi
	gcc -O2 -w "$@" -o "$T/$name.native" -lm 2>"$T/err" || { nok "$name: native build: $(head -3 "$T/err")"; return; }
	"$T/$name.native" $args < "$T/input" > "$T/$name.nout" 2> "$T/$name.nerr"; local nrc=$?
	for opt in $OPTS; do
		local nexe=$T/$name$opt.nexe
		if ! "$ZVMCC" ${opt//,/ } "$@" -o "$nexe" 2>"$T/err"; then nok "$name $opt: zvm-cc: $(head -5 "$T/err")"; continue; fi
		if ! "$ZVM" validate "$nexe" > "$T/val" 2>&1; then nok "$name $opt: not valid: $(head -3 "$T/val")"; continue; fi
		"$ZVM" run --report none --timeout 20 "$nexe" -- $args < "$T/input" > "$T/$name.zout" 2> "$T/$name.zerr"; local zrc=$?
		if [ $zrc != $nrc ]; then nok "$name $opt: exit $zrc, native $nrc"; continue; fi
		if ! cmp -s "$T/$name.nout" "$T/$name.zout"; then nok "$name $opt: stdout differs: $(diff "$T/$name.nout" "$T/$name.zout" | head -5)"; continue; fi
		if ! cmp -s "$T/$name.nerr" "$T/$name.zerr"; then nok "$name $opt: stderr differs"; continue; fi
		ok "$name $opt: linked, valid, same output and exit code as native"
	done
}
for c in $PROGS; do check_program "$(basename "$c" .c)" "$c"; done
check_program hand tests/toolchain/hand_main.c tests/toolchain/hand.s tests/toolchain/hand_pp.S
check_program tls tests/toolchain/tls_main.c tests/toolchain/tls_part.c
# again as position-independent code (GOT loads, @PLT calls, TLS kept
# initial-exec): the same output as native ("a,b" is "a b")
OPTS="-O2,-fPIC -O0,-fpic -Os,-fPIC,-fno-plt -O2,-fPIE"
for c in $PROGS; do check_program "$(basename "$c" .c)" "$c"; done
check_program tls tests/toolchain/tls_main.c tests/toolchain/tls_part.c
if [ -n "$why" ]; then skip "-fPIC with musl: $why"
elif [ ! -f "$RT/musl/lib/libc.a" ]; then skip "-fPIC with musl: musl not built"
else
	ZVM_LIBC=musl OPTS="-O2,-fPIC" check_program tls-musl tests/toolchain/tls_main.c tests/toolchain/tls_part.c
	ZVM_LIBC=musl OPTS="-O2,-fPIC" check_program io-musl tests/toolchain/io.c
fi
OPTS="-O0 -O1 -O2 -O3 -Os"

# Separate compilation: objects made with -c, linked by a second zvm-cc
if [ -n "$why" ]; then skip "separate compilation: $why"
else
	"$ZVMCC" -O2 -c tests/toolchain/hand_main.c -o "$T/m.o" && "$ZVMCC" -c tests/toolchain/hand.s -o "$T/h.o" &&
	"$ZVMCC" -c tests/toolchain/hand_pp.S -o "$T/p.o" && "$ZVMCC" "$T/m.o" "$T/h.o" "$T/p.o" -o "$T/sep.nexe" 2>"$T/err"
	if "$ZVM" validate "$T/sep.nexe" >/dev/null 2>&1 &&
	   [ "$("$ZVM" run --report none "$T/sep.nexe")" = "asm_sum 55 asm_scale 42" ]; then
		ok "separately compiled objects link into a valid program that runs"
	else nok "separate compilation: $(head -3 "$T/err")"; fi
fi

# Random programs (csmith, when installed): native and zvm-cc builds must
# print the same checksum. Fixed seeds, so a failure can be replayed.
if [ -n "$why" ]; then skip "csmith programs: $why"
elif ! command -v csmith >/dev/null || [ ! -f /usr/include/csmith/csmith.h ]; then
	skip "csmith programs: csmith/libcsmith-dev not installed"
else
	bad=
	for seed in 11 22 33 44; do
		(cd "$T" && csmith --seed $seed > cs.c 2>/dev/null) || continue  # it writes platform.info in its cwd
		gcc -O1 -w -I/usr/include/csmith "$T/cs.c" -o "$T/cs" 2>/dev/null || continue
		timeout 10 "$T/cs" > "$T/cs.n" 2>&1 || continue
		# the small runtime at three levels, and musl + ZRT at -O2 when built
		for opt in -O0 -O2 -Os musl; do
			libc=mini o=$opt
			if [ $opt = musl ]; then
				[ -f "$RT/musl/lib/libc.a" ] || continue
				libc=musl o=-O2
			fi
			if ! ZVM_LIBC=$libc "$ZVMCC" $o -w -I/usr/include/csmith "$T/cs.c" -o "$T/cs.nexe" 2>"$T/err" ||
			   ! "$ZVM" validate "$T/cs.nexe" >/dev/null 2>&1; then bad="$bad seed $seed $opt (build/validate)"; continue; fi
			"$ZVM" run --report none --timeout 20 "$T/cs.nexe" > "$T/cs.z" 2>&1
			cmp -s "$T/cs.n" "$T/cs.z" || bad="$bad seed $seed $opt (output)"
		done
	done
	if [ -z "$bad" ]; then ok "csmith seeds 11 22 33 44 at -O0 -O2 -Os (and -O2 with musl): same checksums as native"; else nok "csmith:$bad"; fi
fi
