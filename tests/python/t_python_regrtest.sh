#!/bin/bash
# CPython's own regression tests in a cell: the modules marked "check" in
# tests/python/regrtest-modules.txt, each through test.libregrtest in its
# own cell of python.nexe (the tests in --image python-test.tar, the runner
# tools/python/regrtest_cell.py), must end "Tests result: SUCCESS" with
# every test case passed or skipped and at least one passed. The whole list
# beside Debian's python3.11: tools/python-conformance.sh (docs/python.md).
# TAP, one line per module.
set -u
. "$(dirname "$0")/../lib.sh"
PY=$BUILD/python.nexe TESTS=$BUILD/python-test.tar
if [ ! -f "$PY" ] || [ ! -f "$TESTS" ]; then
	skip "python.nexe or python-test.tar not built (make python)"; exit 0
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
for m in $(awk '!/^#/ && $2 == "check" {print $1}' tests/python/regrtest-modules.txt); do
	rc=0
	"$ZVM" run --image "$TESTS" --memory 1G --timeout 120 --epoch 1800000000000000000 "$PY" -- \
		regrtest_cell.py --junit-xml /tmp/junit.xml "$m" > "$T/out" 2>&1 </dev/null || rc=$?
	verdict=$(sed -n 's/^Tests result: //p' "$T/out" | tail -1)
	xml=$(sed -n '/^=== junit-xml ===$/{n;p}' "$T/out")
	cases=$(printf '%s' "$xml" | grep -o '<testcase ' | wc -l)
	bad=$(printf '%s' "$xml" | grep -oE '<(failure|error)[ >]' | wc -l)
	skipped=$(printf '%s' "$xml" | grep -o '<skipped' | wc -l)
	if [ $rc = 0 ] && [ "$verdict" = SUCCESS ] && [ "$bad" = 0 ] && [ $((cases - skipped)) -gt 0 ]; then
		ok "$m: $((cases - skipped)) passed, $skipped skipped"
	else
		nok "$m: rc $rc, '$verdict', $cases cases, $bad failed: $(grep -E '^(FAIL|ERROR):' "$T/out" | head -3 | tr '\n' ' ')$(tail -3 "$T/out" | tr '\n' ' ' | cut -c1-300)"
	fi
done
