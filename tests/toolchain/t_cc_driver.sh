#!/bin/bash
# zvm-cc's outputs are gcc's (TAP): without -o, `zvm-cc prog.c` writes a.out
# (autoconf's "C compiler cannot create executables" when it did not), -c
# writes prog.o and -S prog.s in the current directory, -E writes to
# stdout; the earliest stop wins. Odd file names (quotes, ';', '#') pass
# through .file and line markers, and an assembler warning is an error
# that names the input.
set -u
. "$(dirname "$0")/../lib.sh"
ZVMCC=$(cd "$(dirname "$BUILD/bin/zvm-cc")" 2>/dev/null && pwd)/zvm-cc
ZVM_ABS=$(cd "$(dirname "$ZVM")" 2>/dev/null && pwd)/zvm
if [ ! -x "$ZVMCC" ]; then skip "zvm-cc not built"; exit 0; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache TMPDIR=$T
have_run=0
if [ -f "$BUILD/runtime/libzvmrt.a" ] && [ -f "$BUILD/runtime/crt0.o" ] && [ -x "$ZVM" ]; then
	have_run=1
	export ZVM_RUNTIME_DIR=$(cd "$BUILD/runtime" && pwd)
	# musl when built (what autoconf's probes would use), else the small runtime
	[ -f "$ZVM_RUNTIME_DIR/musl/lib/libc.a" ] || export ZVM_LIBC=mini
fi
mkdir -p "$T/src/sub" "$T/w"
printf '#include <stdio.h>\nint main(void) { puts("hi from a.out"); return 3; }\n' > "$T/src/sub/prog.c"
printf 'int main(void) { return 0; }\n' > "$T/src/conftest.c"
W=$T/w
clean() { rm -rf "$W"; mkdir -p "$W"; }

# ---- linking: a.out ----------------------------------------------------
if [ $have_run = 1 ]; then
	clean
	(cd "$W" && "$ZVMCC" "$T/src/sub/prog.c") 2>"$T/err"
	out=$(cd "$W" && "$ZVM_ABS" run --report none a.out 2>&1); rc=$?
	if [ -f "$W/a.out" ] && [ "$out" = "hi from a.out" ] && [ $rc = 3 ] && [ "$(ls "$W")" = a.out ]; then
		ok "zvm-cc prog.c writes a.out in the current directory, and zvm run a.out runs it"
	else nok "zvm-cc prog.c: files [$(ls "$W" | tr '\n' ' ')] run '$out' rc $rc $(head -2 "$T/err")"; fi
	# autoconf's first probe: compile and link with no -o, then look for a.out
	clean
	if (cd "$W" && cp "$T/src/conftest.c" . && "$ZVMCC" conftest.c && test -f a.out) 2>"$T/err"; then
		ok "autoconf's probe: zvm-cc conftest.c && test -f a.out"
	else nok "autoconf's probe: $(head -2 "$T/err") [$(ls "$W" | tr '\n' ' ')]"; fi
	# ... and its object-suffix probe, and -o
	if (cd "$W" && rm -f a.out && "$ZVMCC" -c conftest.c && test -f conftest.o && "$ZVMCC" -o conftest conftest.o &&
	    "$ZVM_ABS" run --report none conftest) 2>"$T/err"; then
		ok "autoconf's -c probe makes conftest.o; -o conftest links it"
	else nok "-c/-o probe: $(head -2 "$T/err")"; fi
else
	for w in a.out "autoconf probe" "-c probe"; do skip "$w: runtime or zvm not built"; done
fi

# ---- -c, -S, -E without -o ----------------------------------------------
clean
(cd "$W" && "$ZVMCC" -c "$T/src/sub/prog.c") 2>"$T/err"
if [ "$(ls "$W")" = prog.o ] && [ ! -e "$T/src/sub/prog.o" ]; then ok "-c writes prog.o in the current directory"
else nok "-c: [$(ls "$W" | tr '\n' ' ')] $(head -2 "$T/err")"; fi
clean
(cd "$W" && "$ZVMCC" -S "$T/src/sub/prog.c") 2>"$T/err"
if [ "$(ls "$W")" = prog.s ] && grep -q '^\s*\.bundle_align_mode 5' "$W/prog.s"; then ok "-S writes prog.s (rewritten) in the current directory"
else nok "-S: [$(ls "$W" | tr '\n' ' ')] $(head -2 "$T/err")"; fi
clean
out=$(cd "$W" && "$ZVMCC" -E "$T/src/sub/prog.c" 2>"$T/err")
if [ -z "$(ls "$W")" ] && echo "$out" | grep -q 'hi from a.out'; then ok "-E writes to stdout, no file"
else nok "-E: [$(ls "$W" | tr '\n' ' ')] $(head -2 "$T/err")"; fi
clean
(cd "$W" && "$ZVMCC" -S -c "$T/src/sub/prog.c" && "$ZVMCC" -c -S "$T/src/sub/prog.c" -o x.s) 2>"$T/err"
if [ "$(ls "$W" | tr '\n' ' ')" = "prog.s x.s " ] && grep -q bundle_align "$W/x.s"; then ok "-c with -S stops at -S, in either order (as gcc)"
else nok "-c -S: [$(ls "$W" | tr '\n' ' ')] $(head -2 "$T/err")"; fi
clean
printf '\t.text\nf:\tnop\n' > "$W/h.s"; cp "$W/h.s" "$T/h.orig"
if ! (cd "$W" && "$ZVMCC" -S h.s) 2>"$T/err" && cmp -s "$W/h.s" "$T/h.orig" && grep -q 'h.s:.*-o' "$T/err"; then
	ok "-S on h.s without -o refuses to write over its input"
else nok "-S h.s: $(head -2 "$T/err")"; fi
if (cd "$W" && "$ZVMCC" -E h.s -o e.out) 2>"$T/err" && [ ! -e "$W/e.out" ]; then ok "-E on a .s writes nothing (as gcc)"
else nok "-E h.s: [$(ls "$W" | tr '\n' ' ')] $(head -2 "$T/err")"; fi

# A failing -E (autoconf's header probes fail on purpose) must leave the
# host alone: gcc removes its -o file on failure, and zvm-cc once gave it
# -o /dev/stdout, so as root every failed probe deleted that symlink. Run
# in a private mount namespace over a /dev of our own when we can (the host's
# /dev/stdout is never at risk); else check the host's and repair it.
printf '#include <surely_no_such_header.h>\n' > "$W/bad.c"
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	mkdir -p "$T/dev"
	res=$(unshare -m sh -c '
		mount -t tmpfs zvmtest "$1" && ln -s /proc/self/fd/1 "$1/stdout" && touch "$1/null" &&
		mount --bind /dev/null "$1/null" && mount --bind "$1" /dev || { echo setup-failed; exit; }
		"$2" -E "$3" > "$4" 2>/dev/null; echo "rc $? $(test -L /dev/stdout && echo link || echo gone)"' \
		sh "$T/dev" "$ZVMCC" "$W/bad.c" "$W/bad.i")
	where="in a private /dev"
else
	before=$(test -L /dev/stdout && echo link || echo gone)
	"$ZVMCC" -E "$W/bad.c" > "$W/bad.i" 2>/dev/null
	res="rc $? $(test -L /dev/stdout && echo link || echo gone)"
	[ "$before" = link ] && [ ! -L /dev/stdout ] && rm -f /dev/stdout && ln -sf /proc/self/fd/1 /dev/stdout
	where="on the host"
fi
if [ "$res" = "rc 1 link" ]; then ok "a failing -E exits 1 and leaves /dev/stdout a symlink ($where)"
else nok "a failing -E $where: $res"; fi
if ! (cd "$W" && "$ZVMCC" -E bad.c -o bad.i) 2>/dev/null && [ ! -e "$W/bad.i" ] &&
   ! (cd "$W" && "$ZVMCC" -E bad.c -o /dev/null) 2>/dev/null && [ -c /dev/null ] &&
   (cd "$W" && "$ZVMCC" -E "$T/src/conftest.c" -o - 2>/dev/null | grep -q 'int main') 2>/dev/null; then
	ok "-E -o FILE: a failure leaves no FILE; -o /dev/null stays a device; -o - is stdout"
else nok "-E -o: [$(ls "$W" | tr '\n' ' ')]"; fi

# ---- odd names, assembler warnings --------------------------------------
clean
odd='a"b;#c'
printf 'int f(void) { return 1; }\nint g(void) { __asm__("int $0x80"); return 0; }\n' > "$W/$odd.c"
if ! (cd "$W" && "$ZVMCC" -c "$odd.c" -o g.o) 2>"$T/err" && grep -qF "$odd.c:2: 'int \$0x80'" "$T/err"; then
	ok "a file named $odd.c: the error names it and its line ($(head -1 "$T/err"))"
else nok "$odd.c: $(head -2 "$T/err")"; fi
printf '#include <stdio.h>\nint main(void) { puts("q\\"x;y"); return 0; }\n' > "$W/$odd.c"
if (cd "$W" && "$ZVMCC" -c "$odd.c" -o odd.o) 2>"$T/err"; then ok "a file named $odd.c compiles (.file keeps its name whole)"
else nok "$odd.c: $(head -2 "$T/err")"; fi
printf '\t.data\nx:\t.byte 300\n' > "$W/warn.s"
if ! (cd "$W" && "$ZVMCC" -c warn.s -o warn.o) 2>"$T/err" && grep -q 'Warning: value 0x12c truncated' "$T/err" &&
   grep -q '^zvm-cc: warn.s: the assembler refused the rewritten assembly (kept in ' "$T/err" && [ ! -e "$W/warn.o" ]; then
	kept=$(sed -n 's/.*(kept in \(.*\))$/\1/p' "$T/err")
	if [ -f "$kept" ]; then ok "an assembler warning is an error naming the input, and the rewritten file is kept"
	else nok "assembler warning: $kept not kept"; fi
else nok "assembler warning: $(cat "$T/err" | head -4)"; fi
