#!/bin/bash
# The compatibility suite's fast subset (make compat runs all of it; docs/compat.md):
# zlib and bzip2 built from Debian's sources with zvm-cc, musl-gcc and gcc,
# their own test suites run natively and (zvm-cc) in cells; the SQLite
# workload in a cell and natively. TAP: one line per package and flavour;
# a cell's result must equal glibc's.
set -u
. "$(dirname "$0")/../lib.sh"
if [ ! -x "$BUILD/bin/zvm" ] || [ ! -f "$BUILD/runtime/musl/lib/libsqlite3.a" ] || [ ! -x "$BUILD/sqlite3.nexe" ]; then
	skip "zvm or the batteries not built"; exit 0
fi
command -v musl-gcc >/dev/null || { skip "no musl-gcc (make deps)"; exit 0; }
mkdir -p "$BUILD/compat"
BUILD=$BUILD bash tests/compat/compat.sh --fast zlib bzip2 sqlite >"$BUILD/compat/fast.log" 2>&1 ||
	{ nok "compat.sh: $(tail -3 "$BUILD/compat/fast.log")"; exit 0; }
R=$BUILD/compat/results.txt
while read -r pkg fl build passed failed rest; do
	ref=$(awk -v p="$pkg" '$1 == p && $2 == "glibc" {print $4}' "$R")
	if [ "$build" = build=ok ] && [ "$failed" = failed=0 ] && [ "$passed" = "$ref" ] && [ "$passed" != passed=0 ]; then
		ok "$pkg ($fl): $passed, $failed"
	else nok "$pkg ($fl): $build $passed $failed $rest (glibc: $ref)"; fi
done < <(grep -E '^(zlib|bzip2|sqlite) ' "$R")
