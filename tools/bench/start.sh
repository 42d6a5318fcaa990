#!/bin/bash
# tools/bench/start.sh — start cost of `zvm run` against the image's size:
# hello world against an image with 8 MiB of constant data
# (tests/integration/bigimage.c, which reads three of its entries), with
# the validation cache warm as in real use. With --before ZVM, another zvm
# binary (an older build) is timed in the same run, interleaved, side by side.
# Usage: tools/bench/start.sh [--before PATH] [--runs N] [--out FILE]
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
before="" runs=200 out=""
while [ $# -gt 0 ]; do
	case $1 in
	--before) before=$2; shift 2;;
	--runs) runs=$2; shift 2;;
	--out) out=$2; shift 2;;
	*) echo "usage: $0 [--before PATH] [--runs N] [--out FILE]" >&2; exit 2;;
	esac
done
command -v hyperfine >/dev/null || { echo "start.sh: hyperfine is needed" >&2; exit 1; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
"$BUILD/bin/zvm-cc" -O2 tests/integration/bigimage.c -o "$T/big.nexe"
hello=$BUILD/examples/hello.nexe
[ -f "$hello" ] || "$BUILD/bin/zvm-cc" -O2 examples/hello.c -o "$hello"
after=$BUILD/bin/zvm
cmds=() names=()
for z in ${before:+"$before"} "$after"; do
	label=after; [ "$z" = "$before" ] && label=before
	for img in "$hello" "$T/big.nexe"; do
		"$z" run --report none "$img" >/dev/null   # fills the validation cache
		cmds+=("$z run --report none $img")
		names+=("$label: $(basename "$img") ($(stat -c %s "$img") bytes)")
	done
done
args=()
for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
hyperfine -N --warmup 20 --runs "$runs" --export-json "$T/h.json" "${args[@]}" >/dev/null 2>&1
{
	echo "Command: \`tools/bench/start.sh${before:+ --before $before} --runs $runs\`, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1 /proc/loadavg)"
	echo
	echo "| what | median ms | mean ms | min ms |"
	echo "|---|---:|---:|---:|"
	python3 - "$T/h.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("| %s | %.2f | %.2f | %.2f |" % (r["command"], r["median"] * 1e3, r["mean"] * 1e3, r["min"] * 1e3))
PY
} | tee ${out:+"$out"}
