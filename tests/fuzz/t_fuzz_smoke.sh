#!/bin/bash
# Each fuzz target briefly (10 s, or FUZZ_SMOKE_SECONDS), as part of the test
# suite. A crash, a leak or a failed invariant is a failure. TAP output.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
secs=${FUZZ_SMOKE_SECONDS:-10}
n=0
if ! command -v clang >/dev/null; then echo "ok 1 # skip clang not installed"; exit 0; fi
make -s BUILD="$BUILD" fuzz-build >/dev/null 2>"$BUILD/fuzz-build.log" || { echo "not ok 1 - fuzz targets build: $(tail -5 "$BUILD/fuzz-build.log")"; exit 1; }
for f in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f" | sed 's/^fuzz_//')
	corpus=$(mktemp -d)
	n=$((n+1))
	seeds=()
	[ -d "tests/fuzz/seeds/$name" ] && seeds=("tests/fuzz/seeds/$name")
	if "$f" -max_total_time="$secs" -timeout=10 "$corpus" "${seeds[@]}" >"$corpus.log" 2>&1; then
		echo "ok $n - fuzz $name for ${secs}s: $(grep -o 'Done [0-9]* runs' "$corpus.log" | tail -1)"
	else
		echo "not ok $n - fuzz $name: $(grep -m3 -E 'ERROR|Assertion|invariant|SUMMARY|fast:' "$corpus.log")"
	fi
	rm -rf "$corpus" "$corpus.log"
done
[ $n -gt 0 ] || echo "ok 1 # skip no fuzz target built"
