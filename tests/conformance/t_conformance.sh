#!/bin/bash
# Conformance: every C program in tests/conformance/c and every Lua script in
# tests/conformance/lua runs natively (gcc + glibc, lua5.4) and in a cell
# (zvm-cc + musl + ZRT, build/lua.nexe); stdout, stderr (each on its own) and
# the exit status must be identical, byte for byte. Each test declares its
# arguments, stdin, environment, exit status and any difference in a header
# line (tests/conformance/README.md). One TAP line per test.
#
#   tests/conformance/t_conformance.sh                 native and cell
#   tests/conformance/t_conformance.sh --native-only   native runs only (each
#       must exit with its declared status); the cell side is skipped
#   CONFORMANCE_ONLY=REGEX  run only the tests whose name (c/01-printf-int,
#       lua/03-patterns) matches REGEX
set -u
native_only=0
[ "${1:-}" = --native-only ] && native_only=1
. "$(dirname "$0")/../lib.sh"
ROOT=$(pwd)
DIR=tests/conformance
ONLY=${CONFORMANCE_ONLY:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ulimit -c 0 2>/dev/null   # 27-abort must not leave a core file behind
abs() { case $1 in /*) echo "$1" ;; *) echo "$ROOT/$1" ;; esac; }
ZVM_ABS=$(abs "$ZVM")
ZVMCC=$(abs "$BUILD/bin/zvm-cc")
RTDIR=$(abs "$BUILD/runtime")
LUA_NEXE=$(abs "$BUILD/lua.nexe")

shopt -s nullglob
c_tests=() lua_tests=()
for f in "$DIR"/c/[0-9]*.c; do
	name=c/$(basename "$f" .c)
	[ -z "$ONLY" ] || [[ $name =~ $ONLY ]] && c_tests+=("$f")
done
for f in "$DIR"/lua/[0-9]*.lua; do
	name=lua/$(basename "$f" .lua)
	[ -z "$ONLY" ] || [[ $name =~ $ONLY ]] && lua_tests+=("$f")
done
echo "1..$(( ${#c_tests[@]} + ${#lua_tests[@]} ))"

# Why the cell side of the C tests cannot run (empty: it can).
c_cell_skip=""
if [ $native_only = 1 ]; then
	c_cell_skip="--native-only"
elif [ ! -x "$ZVMCC" ] || [ ! -x "$ZVM_ABS" ]; then
	c_cell_skip="zvm / zvm-cc not built (make)"
elif [ ! -f "$RTDIR/musl/lib/libc.a" ] || [ ! -f "$RTDIR/libzrt.a" ]; then
	c_cell_skip="musl + ZRT not built (make musl)"
else
	export ZVM_RUNTIME_DIR=$RTDIR ZVM_LIBC=musl ZVM_CACHE_DIR=$T/cache
	printf 'int main(void) { return 0; }\n' > "$T/probe.c"
	if ! "$ZVMCC" -O2 "$T/probe.c" -o "$T/probe.nexe" 2>"$T/probe.err"; then
		c_cell_skip="zvm-cc cannot link even an empty program with musl + ZRT (runtime being rebuilt?): $(grep -m1 -v '^ *$' "$T/probe.err" | cut -c1-120)"
	fi
fi
lua_cell_skip=""
if [ $native_only = 1 ]; then
	lua_cell_skip="--native-only"
elif [ ! -x "$ZVM_ABS" ]; then
	lua_cell_skip="zvm not built (make)"
elif [ ! -f "$LUA_NEXE" ]; then
	lua_cell_skip="$BUILD/lua.nexe not built (make lua)"
fi
have_lua=1
command -v lua5.4 >/dev/null || have_lua=0

# header FILE: sets t_args t_stdin t_env t_exit t_differs t_files from the
# "conformance:" line among the first five lines (see README.md).
header() {
	t_args=() t_stdin="" t_env=() t_exit=0 t_differs="" t_why="" t_files=()
	local line kv k v
	line=$(head -5 "$1" | grep -m1 -E '^(//|--) conformance:' | sed -E 's/^(\/\/|--) conformance://')
	[ -n "$line" ] || return 0
	while IFS= read -r kv; do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		args) mapfile -t t_args < <(printf '%s\n' "$v" | xargs -n1 printf '%s\n') ;;
		env) mapfile -t t_env < <(printf '%s\n' "$v" | xargs -n1 printf '%s\n') ;;
		files) mapfile -t t_files < <(printf '%s\n' "$v" | xargs -n1 printf '%s\n') ;;
		stdin) t_stdin=$v ;;
		exit) t_exit=$v ;;
		differs) t_differs=$v ;;
		why) t_why=$v ;;
		*) echo "# $1: unknown declaration '$k'" ;;
		esac
	done < <(printf '%s\n' "$line" | xargs -n1 printf '%s\n')
	if [ -n "$t_differs" ] && [ -z "$t_why" ]; then
		echo "# $1: differs= needs a why= (declared differences must be explained)"
		return 1
	fi
}

# filtered FILE: the file without the lines a declared difference excludes
filtered() {
	if [ -n "$t_differs" ]; then grep -v -- "^$t_differs" "$1" || true; else cat "$1"; fi
}

# verdict NAME W: compares W/native and W/cell (stdout, stderr, exit status)
# and prints the TAP line, then the first lines of each differing stream's
# unified diff as TAP comments
verdict() {
	local name=$1 nd=$2/native cd=$2/cell what="" s note=""
	: >"$2/diag"
	for s in out err; do
		if ! cmp -s <(filtered "$nd/$s") <(filtered "$cd/$s"); then
			what+="${what:+;} std$s differs"
			echo "# std$s, native (---) vs cell (+++):" >>"$2/diag"
			diff -u --label native --label cell <(filtered "$nd/$s") <(filtered "$cd/$s") | head -20 | cut -c1-200 |
				sed 's/^/#   /' >>"$2/diag"
		fi
	done
	[ "$(cat "$nd/rc")" = "$(cat "$cd/rc")" ] || what+="${what:+;} exit status native $(cat "$nd/rc") cell $(cat "$cd/rc")"
	[ -z "$t_differs" ] || note=" (lines starting with '$t_differs' not compared)"
	if [ -z "$what" ]; then
		ok "$name: native == cell$note"
	else
		nok "$name:$what"
		cat "$2/diag"
	fi
}

# run_native DIR STDIN CMD...: runs CMD in DIR (a fresh working directory)
# with only the declared environment; leaves DIR/{out,err,rc}
run_native() {
	local d=$1 in=$2
	shift 2
	# (the outer redirection keeps bash's "Aborted" notice out of the TAP stream)
	{ (cd "$d/cwd" && env -i "${t_env[@]}" timeout 60 "$@" <"$in" >"$d/out" 2>"$d/err"); } 2>/dev/null
	echo $? >"$d/rc"
}
run_cell() {
	local d=$1 in=$2
	shift 2
	local e envflags=()
	for e in "${t_env[@]}"; do envflags+=(--env "$e"); done
	{ (cd "$d/cwd" && timeout 60 "$ZVM_ABS" run "${envflags[@]}" "$@" <"$in" >"$d/out" 2>"$d/err"); } 2>/dev/null
	echo $? >"$d/rc"
}
stdin_of() { # TESTDIR: the declared stdin file, or /dev/null
	if [ -n "$t_stdin" ]; then abs "$1/$t_stdin"; else echo /dev/null; fi
}
native_problem() { # DIR: "" if the native run ended with the declared status
	local rc
	rc=$(cat "$1/rc")
	if [ "$rc" != "$t_exit" ]; then
		echo "native run exits $rc, declared $t_exit: $(head -c 300 "$1/err" | tr '\n' ' ')"
	fi
}

for f in "${c_tests[@]}"; do
	base=$(basename "$f" .c) name=c/$(basename "$f" .c)
	if ! header "$f"; then
		nok "$name: bad declaration"
		continue
	fi
	w=$T/$name
	mkdir -p "$w/native/cwd" "$w/cell/cwd"
	if ! gcc -O2 -w "$f" -o "$w/prog" -lm 2>"$w/gcc.err"; then
		nok "$name: gcc: $(head -3 "$w/gcc.err" | tr '\n' ' ')"
		continue
	fi
	in=$(stdin_of "$DIR/c")
	run_native "$w/native" "$in" "$w/prog" "${t_args[@]}"
	p=$(native_problem "$w/native")
	if [ -n "$p" ]; then
		nok "$name: $p"
		continue
	fi
	if [ -n "$c_cell_skip" ]; then
		skip "$name: native ok; cell: $c_cell_skip"
		continue
	fi
	if ! "$ZVMCC" -O2 "$f" -o "$w/$base.nexe" -lm 2>"$w/cc.err"; then
		nok "$name: zvm-cc: $(grep -m3 -v '^ *$' "$w/cc.err" | tr '\n' ' ' | cut -c1-300)"
		continue
	fi
	run_cell "$w/cell" "$in" "$w/$base.nexe" -- "${t_args[@]}"
	verdict "$name" "$w"
done

for f in "${lua_tests[@]}"; do
	base=$(basename "$f") name=lua/$(basename "$f" .lua)
	if ! header "$f"; then
		nok "$name: bad declaration"
		continue
	fi
	w=$T/$name
	mkdir -p "$w/native/cwd" "$w/cell/cwd" "$w/image"
	if [ $have_lua = 0 ]; then
		skip "$name: lua5.4 not installed (apt-get install lua5.4)"
		continue
	fi
	# The script and the declared extra files go into the working directory
	# natively and into the cell's / through an image.
	cp "$f" "$w/native/cwd/" && cp "$f" "$w/image/"
	for x in "${t_files[@]}"; do cp "$DIR/lua/$x" "$w/native/cwd/" && cp "$DIR/lua/$x" "$w/image/"; done
	in=$(stdin_of "$DIR/lua")
	run_native "$w/native" "$in" lua5.4 "$base" "${t_args[@]}"
	p=$(native_problem "$w/native")
	if [ -n "$p" ]; then
		nok "$name: $p"
		continue
	fi
	if [ -n "$lua_cell_skip" ]; then
		skip "$name: native ok; cell: $lua_cell_skip"
		continue
	fi
	tar -C "$w/image" -cf "$w/image.tar" .
	run_cell "$w/cell" "$in" --image "$w/image.tar" "$LUA_NEXE" -- "$base" "${t_args[@]}"
	verdict "$name" "$w"
done
