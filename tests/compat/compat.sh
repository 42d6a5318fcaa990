#!/bin/bash
# compat.sh [--fast] [PKG...] — the compatibility suite (docs/compat.md).
# Each of Debian's zlib, bzip2, xz-utils, bc and gawk is built three ways
# from its source package with its own build system, unchanged: CC=zvm-cc
# (a cross build: --host, see docs/exec.md), CC=musl-gcc and CC=gcc
# (glibc); then its own test suite runs: natively for musl and glibc, and
# in cells for zvm-cc, each program the build made being replaced by a
# two-line script that runs it with `zvm exec` (so the test suite, its
# shell scripts and Makefiles, run on the host and every program of the
# package in a cell). SQLite runs the workload of sqlite-workload.sql in
# its shell, in a cell and natively, and the outputs and the databases
# (the cell's written back with --image-out) must be identical.
# One line per package and flavour goes to $OUT/results.txt:
#   PKG FLAVOUR build=ok|failed passed=N failed=N [failed-tests...]
# --fast: zlib, bzip2, xz and the SQLite workload only (t_compat.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
ROOT=$PWD
B=$(cd "$BUILD" && pwd)
OUT=$B/compat
ZVM=$B/bin/zvm
ZVMCC=$B/bin/zvm-cc
HOST="--host=x86_64-pc-linux-musl --build=x86_64-pc-linux-gnu"
fast=0
[ "${1:-}" = --fast ] && { fast=1; shift; }
pkgs=${*:-$([ $fast = 1 ] && echo "zlib bzip2 xz sqlite" || echo "zlib bzip2 xz sqlite bc gawk")}
mkdir -p "$OUT"
# the lines of the packages run now are replaced, the others kept
touch "$OUT/results.txt"
for p in $pkgs; do for fl in ${FLAVOURS:-glibc musl cell}; do sed -i "/^$p $fl /d" "$OUT/results.txt"; done; done
export ZVM_CACHE_DIR=$OUT/cache
# zvm-cc finds its runtime beside itself; musl, not the mini runtime
unset ZVM_LIBC ZVM_RUNTIME_DIR
# one job at a time per build step: the machine is shared (2 cores)
MAKE="nice make -j2"

src() { # pkg dir: a fresh copy of the source, timestamps kept
	sh mk/debian-source.sh "$1" "$B/src" >/dev/null || return 1
	rm -rf "$2" && cp -a "$B/src/$1" "$2"
}
cc_of() { case $1 in cell) echo "$ZVMCC" ;; musl) echo musl-gcc ;; glibc) echo gcc ;; esac; }
host_of() { [ "$1" = cell ] && echo "$HOST"; }
result() { echo "$*" >>"$OUT/results.txt"; echo "compat: $*"; }

# What test suites set for the programs they run (locale, time zone, the
# package's own variables): passed into the cell by name (zvm exec passes
# none of the caller's environment by itself).
PASS_ENV=$(for v in LC_ALL LC_CTYPE LC_COLLATE LC_NUMERIC LC_MESSAGES LANG LANGUAGE TZ \
	AWKPATH AWKLIBPATH AWKBUFSIZE GAWK_MSEC_SLEEP GAWK_READ_TIMEOUT GAWK_SOCK_RETRIES \
	GAWKLOCALE GAWK_PERSIST_FILE PMA_VERBOSITY POSIXLY_CORRECT XZ_OPT XZ_DEFAULTS BZIP BZIP2 srcdir; do printf -- '--pass-env %s ' $v; done)
# Every ELF executable D/NAME under DIR moves to D/.nexe/NAME (the same
# file name: a program's messages name its argv[0]) and D/NAME becomes a
# script that runs it in a cell, the caller's working directory given,
# with $EXEC_MEMORY (zvm run's limit: address space for the heap, not
# memory the host gives before it is touched), and the descriptors 3-9
# the caller has open on a file or a pipe (a test's 4<file, read as
# /dev/fd/4: zvm exec --fd).
EXEC_MEMORY=1G
wrap() {
	local f n
	find "$1" -type f -perm -u+x ! -path '*/.nexe/*' ! -name '*.so*' ! -name '*.o' | while read -r f; do
		[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
		n=$(dirname "$f")/.nexe/$(basename "$f")
		mkdir -p "$(dirname "$n")" && mv "$f" "$n"
		printf '#!/bin/sh\nfds=\nfor n in 3 4 5 6 7 8 9; do { [ -f /dev/fd/$n ] || [ -p /dev/fd/$n ]; } && fds="$fds --fd $n"; done\nexec "%s" exec --memory %s $fds %s "%s" "$@"\n' \
			"$ZVM" "$EXEC_MEMORY" "$PASS_ENV" "$n" >"$f"
		chmod +x "$f"
		touch -r "$n" "$f"
	done
}

# ---- zlib: ./configure --static; make; make test (QEMU_RUN, its own hook)
zlib() {
	local fl=$1 d=$OUT/zlib-$1 run= log
	log=$d.log
	src zlib "$d" || { result zlib "$fl" build=failed; return; }
	[ "$fl" = cell ] && run="$ZVM exec"
	if ! (cd "$d" && CC=$(cc_of "$fl") CFLAGS=-O2 ./configure --static && $MAKE) >"$log" 2>&1; then
		result zlib "$fl" build=failed; return
	fi
	(cd "$d" && make teststatic QEMU_RUN="$run") >>"$log" 2>&1
	local p f
	p=$(grep -c '\*\*\* zlib test OK \*\*\*' "$log")
	f=$(grep -c '\*\*\* zlib test FAILED' "$log")
	# example also prints its own checks
	result zlib "$fl" build=ok passed=$((p + $(grep -c '^uncompress(): hello, hello!\|^gzread(): hello, hello!\|^inflate(): hello, hello!\|^large_inflate(): OK\|^after inflateSync(): hello, hello!\|^inflate with dictionary: hello, hello!' "$log"))) failed=$f
}

# ---- bzip2: its Makefile; make test (six compressions/decompressions
# compared with cmp)
bzip2() {
	local fl=$1 d=$OUT/bzip2-$1 log
	log=$d.log
	src bzip2 "$d" || { result bzip2 "$fl" build=failed; return; }
	# Debian's Makefile links bzip2 against libbz2.so, which a cell cannot
	# have (zvm-cc refuses -shared): there the Makefile's own link command
	# finds libbz2.a instead (-L. -lbz2)
	local targets="bzip2 bzip2recover"
	[ "$fl" = cell ] && targets="libbz2.a bzip2.o bzip2recover"
	if ! (cd "$d" && $MAKE CC="$(cc_of "$fl")" AR=ar RANLIB=ranlib $targets &&
	      { [ "$fl" != cell ] || "$ZVMCC" -Wall -Winline -O2 -g -D_FILE_OFFSET_BITS=64 -o bzip2 bzip2.o -L. -lbz2; }) >"$log" 2>&1; then
		result bzip2 "$fl" build=failed; return
	fi
	[ "$fl" = cell ] && wrap "$d"
	# `make test`'s commands (its prerequisite is the shared library again)
	(cd "$d" && make -k -o bzip2 -o libbz2.so test CC="$(cc_of "$fl")") >>"$log" 2>&1
	local p=0 f=0 i
	for i in sample1.rb2:sample1.bz2 sample2.rb2:sample2.bz2 sample3.rb2:sample3.bz2 sample1.tst:sample1.ref sample2.tst:sample2.ref sample3.tst:sample3.ref; do
		if cmp -s "$d/${i%%:*}" "$d/${i##*:}"; then p=$((p + 1)); else f=$((f + 1)); fi
	done
	result bzip2 "$fl" build=ok passed=$p failed=$f
}

# automake's test-suite summary of a log
am_counts() { # log -> "passed=N failed=N skipped=N failed-tests"
	local p f s x
	p=$(sed -n 's/^# PASS: *//p' "$1" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^# FAIL: *//p' "$1" | awk '{s+=$1} END {print s+0}')
	x=$(sed -n 's/^# ERROR: *//p' "$1" | awk '{s+=$1} END {print s+0}')
	s=$(sed -n 's/^# SKIP: *//p' "$1" | awk '{s+=$1} END {print s+0}')
	echo "passed=$p failed=$((f + x)) skipped=$s $(grep -E '^(FAIL|ERROR): ' "$1" | sed 's/^[A-Z]*: //' | tr '\n' ' ')"
}

# ---- xz-utils: configure; make; make check (tests/: C test programs and
# shell scripts that run xz and xzdec on the test files)
xz() {
	local fl=$1 d=$OUT/xz-$1 log extra=
	log=$d.log
	src xz-utils "$d" || { result xz "$fl" build=failed; return; }
	# the cell: no threads (a cell cannot start one), no CLMUL CRC (cpuid)
	[ "$fl" = cell ] && extra="--disable-threads --disable-clmul-crc"
	if ! (cd "$d" && ./configure CC="$(cc_of "$fl")" CFLAGS=-O2 $(host_of "$fl") --disable-shared \
		--disable-nls --disable-doc $extra && $MAKE && $MAKE -C tests check TESTS=) >"$log" 2>&1; then
		result xz "$fl" build=failed; return
	fi
	[ "$fl" = cell ] && wrap "$d"
	(cd "$d" && make -C tests check) >>"$log" 2>&1
	result xz "$fl" build=ok $(am_counts "$log")
}

# ---- bc: configure; make (fbc, a helper bc builds with CC and runs to
# make libmath.h, is built first and run through zvm exec); then bc's own
# Test/ programs and the math library's checks, compared with glibc's
bc() {
	local fl=$1 d=$OUT/bc-$1 log
	log=$d.log
	src bc "$d" || { result bc "$fl" build=failed; return; }
	# Debian's patches touch Makefile.am and configure.ac, and its rules
	# run autoreconf: so does this (the tarball's automake is 1.14)
	(cd "$d" && autoreconf -fi) >"$log" 2>&1 || { result bc "$fl" build=failed; return; }
	if ! (cd "$d" && ./configure CC="$(cc_of "$fl")" CFLAGS=-O2 $(host_of "$fl") --without-readline \
		--without-libedit && $MAKE -C lib) >>"$log" 2>&1; then
		result bc "$fl" build=failed; return
	fi
	if [ "$fl" = cell ]; then
		# bc's build links its helper fbc with CC and runs it to make
		# libmath.h: that one command runs through zvm exec
		(cd "$d/bc" && make libmath.h; [ -x fbc ] && "$ZVM" exec ./fbc -c libmath.b </dev/null >libmath.h &&
		 ./fix-libmath_h && rm -f fbc global_foo.o) >>"$log" 2>&1
	fi
	# the programs, not the manuals (makeinfo)
	if ! (cd "$d" && $MAKE -C bc && $MAKE -C dc) >>"$log" 2>&1; then
		result bc "$fl" build=failed; return
	fi
	[ "$fl" = cell ] && wrap "$d"
	local p=0 f=0 failed= t want
	for t in "$d"/Test/*.b; do
		[ -f "$OUT/bc-glibc/Test/$(basename "$t").out" ] || [ "$fl" = glibc ] || continue
		(cd "$d/Test" && timeout 120 ../bc/bc -l "$(basename "$t")" </dev/null >"$(basename "$t").out" 2>&1)
		if [ "$fl" = glibc ]; then p=$((p + 1)); continue; fi
		if cmp -s "$t.out" "$OUT/bc-glibc/Test/$(basename "$t").out"; then p=$((p + 1)); else f=$((f + 1)); failed="$failed $(basename "$t")"; fi
	done
	result bc "$fl" build=ok passed=$p failed=$f $failed
}

# ---- gawk: configure; make; make check (test/: several hundred awk
# programs compared with their expected output)
gawk() {
	local fl=$1 d=$OUT/gawk-$1 log
	log=$d.log
	src gawk "$d" || { result gawk "$fl" build=failed; return; }
	if ! (cd "$d" && ./configure CC="$(cc_of "$fl")" CFLAGS=-O2 $(host_of "$fl") --disable-nls \
		--disable-extensions --disable-mpfr --without-readline && $MAKE -C support && $MAKE gawk) >"$log" 2>&1; then
		result gawk "$fl" build=failed; return
	fi
	# the pma test's helper, compiled by the suite with $(CC), runs in a
	# cell too: made first, so that wrap finds it. gawk's persistent heap
	# looks for an address gap of twice its 1 GiB alignment plus the file,
	# so its cells get zvm run's largest limit (3G)
	if [ "$fl" = cell ]; then
		(cd "$d/test" && make makepmafile) >>"$log" 2>&1
		EXEC_MEMORY=3G wrap "$d"
	fi
	(cd "$d/test" && timeout 1800 make -k check AWKPROG=../gawk) >>"$log" 2>&1
	local f t
	f=$(ls "$d/test"/_* 2>/dev/null | wc -l)
	# the harness prints each test's name on a line of its own
	t=$(awk '/^======== Starting/ {on = 1; next} on && /^[A-Za-z0-9_+.-]+$/ {n++} END {print n + 0}' "$log")
	result gawk "$fl" build=ok passed=$((t - f)) failed=$f $(ls "$d/test"/_* 2>/dev/null | sed 's|.*/_||' | tr '\n' ' ')
}

# ---- SQLite: the workload in the shell, cell (the batteries' build of
# the amalgamation) against musl-gcc and gcc builds of the same sqlite3.c
# and shell.c with the same flags
sqlite() {
	local d=$OUT/sqlite fl flags amalg=$B/batteries/sqlite-amalg
	mkdir -p "$d" && rm -f "$d"/*.db "$d"/*.out
	flags=$(make -s -C "$ROOT" BUILD="$BUILD" sqlite-flags)
	[ -f "$amalg/sqlite3.c" ] && [ -x "$B/sqlite3.nexe" ] || { result sqlite cell build=failed; return; }
	for fl in musl glibc; do
		# (kept between runs: the same sources and flags give the same binary)
		if [ ! "$d/sqlite3-$fl" -nt "$amalg/sqlite3.c" ] &&
		   ! "$(cc_of $fl)" $flags "$amalg/shell.c" "$amalg/sqlite3.c" -o "$d/sqlite3-$fl" -lm 2>"$d/build-$fl.log"; then
			result sqlite "$fl" build=failed; continue
		fi
		(cd "$d" && ./sqlite3-$fl "w-$fl.db" <"$ROOT/tests/compat/sqlite-workload.sql" >"w-$fl.out" 2>&1)
	done
	(cd "$d" && "$ZVM" run --memory 1G --image-out w-cell.tar "$B/sqlite3.nexe" -- w.db \
		<"$ROOT/tests/compat/sqlite-workload.sql" >w-cell.out 2>&1 && tar -xOf w-cell.tar w.db >w-cell.db)
	for fl in cell musl glibc; do
		[ -s "$d/w-$fl.db" ] && sqlite3 "$d/w-$fl.db" .dump >"$d/w-$fl.dump" 2>&1
	done
	for fl in cell musl; do
		local same=0 dump=0
		[ -f "$d/w-$fl.out" ] || continue
		cmp -s "$d/w-$fl.out" "$d/w-glibc.out" && same=1
		# the database itself: every table's rows, by the host's sqlite3
		[ -s "$d/w-$fl.dump" ] && cmp -s "$d/w-$fl.dump" "$d/w-glibc.dump" && dump=1
		result sqlite "$fl" build=ok passed=$((same + dump)) failed=$((2 - same - dump)) \
			"lines=$(wc -l <"$d/w-$fl.out")" "$([ $same = 1 ] || echo output-differs)" "$([ $dump = 1 ] || echo db-differs)"
	done
	result sqlite glibc build=ok passed=2 failed=0 "lines=$(wc -l <"$d/w-glibc.out")" "(the reference)"
}

for p in $pkgs; do
	case $p in
	sqlite) sqlite ;;
	zlib | bzip2 | xz | bc | gawk)
		for fl in ${FLAVOURS:-glibc musl cell}; do "$p" "$fl"; done ;;
	*) echo "compat: unknown package $p" >&2; exit 2 ;;
	esac
done
