#!/bin/bash
# Runs every test suite and ends with one line: "N passed, N failed".
#  - cmocka binaries under $BUILD/tests/unit (and $BUILD/tests/escape, ...)
#  - TAP scripts tests/*/t_*.sh ("ok N - what" / "not ok N - what" / "ok N # skip")
#  - the same unit binaries built with ASan+UBSan under $BUILD/asan, if present
# Exit status is 0 only if nothing failed.
set -u
BUILD=${BUILD:-build}
passed=0 failed=0 skipped=0
failures=()

run_cmocka() { # binary
	local out rc p f
	out=$(CMOCKA_MESSAGE_OUTPUT=stdout "$1" 2>&1); rc=$?
	printf '%s\n' "$out" | sed 's/^/    /' | tail -n 40
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi   # crashed before cmocka's summary
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	[ "$f" = 0 ] || failures+=("$1")
}

run_tap() { # script
	local out rc p f s
	out=$(BUILD="$BUILD" bash "$1" 2>&1); rc=$?
	printf '%s\n' "$out" | sed 's/^/    /' | grep -v '^    ok ' | tail -n 60
	p=$(printf '%s\n' "$out" | grep -E '^ok ' | grep -vc '# skip')
	s=$(printf '%s\n' "$out" | grep -E '^ok ' | grep -c '# skip')
	f=$(printf '%s\n' "$out" | grep -cE '^not ok ')
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	[ "$f" = 0 ] || failures+=("$1")
}

for bin in $(find "$BUILD/tests" -path "$BUILD/tests/fuzz" -prune -o -type f -executable -name 'test_*' -print 2>/dev/null | sort); do
	echo "== $bin"; run_cmocka "$bin"
done
for t in $(ls tests/*/t_*.sh 2>/dev/null | sort); do
	echo "== $t"; run_tap "$t"
done
if [ -d "$BUILD/asan/tests" ]; then
	for bin in $(find "$BUILD/asan/tests" -type f -executable -name 'test_*' | sort); do
		echo "== (asan+ubsan) $bin"; run_cmocka "$bin"
	done
fi
echo
[ ${#failures[@]} = 0 ] || { echo "failed suites:"; printf '  %s\n' "${failures[@]}"; }
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ] && [ $((passed + failed)) -gt 0 ]
