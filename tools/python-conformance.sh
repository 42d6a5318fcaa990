#!/bin/bash
# python-conformance.sh [--build DIR] [--table FILE] [--doc FILE] [MODULE...]
# CPython's own regression tests (Lib/test of the same Debian source) through
# test.libregrtest, one module per cell of build/python.nexe (the tests in
# --image build/python-test.tar), and the same modules under Debian's
# /usr/bin/python3.11 natively, with the same runner
# (tools/python/regrtest_cell.py). Prints one row per module: the regrtest
# verdict and the test cases passed/failed/skipped on each side.
#   --table FILE  also write the rows as a Markdown table to FILE
#   --doc FILE    replace the table between the conformance markers in FILE
#                 (docs/python.md)
# Without modules: the list in tests/python/regrtest-modules.txt (all of it:
# the fixed list `make check` runs and the rest). Exit 0 always: this
# reports; tests/python/t_python_regrtest.sh is what must pass.
set -u
BUILD=build table= doc=
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift 2 ;;
	--table) table=$2; shift 2 ;;
	--doc) doc=$2; shift 2 ;;
	-h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "python-conformance: unknown option $1 (try --help)" >&2; exit 2 ;;
	*) break ;;
	esac
done
cd "$(dirname "$0")/.." || exit 1
ZVM=$BUILD/bin/zvm PY=$BUILD/python.nexe TESTS=$BUILD/python-test.tar HOSTPY=/usr/bin/python3.11
# the cell's clock starts at 2027-01-15 (the default, 1970, is before the
# earliest time a ZIP archive can hold: test_zipfile would test only that)
EPOCH=1800000000000000000
for f in "$ZVM" "$PY" "$TESTS" "$HOSTPY"; do
	[ -e "$f" ] || { echo "python-conformance: $f missing (make python)" >&2; exit 1; }
done
if [ $# = 0 ]; then
	set -- $(grep -v '^#' tests/python/regrtest-modules.txt | awk '{print $1}')
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir -p "$T/native" "$T/cwd"
tar -C "$T/native" -xf "$TESTS"
export ZVM_CACHE_DIR=$T/cache

# counts FILE: "verdict passed failed skipped" from a run's output
counts() {
	/usr/bin/python3 - "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
out = open(sys.argv[1], errors="replace").read()
verdict = "crashed"
for line in out.splitlines():
    if line.startswith("Tests result: "):
        verdict = line[len("Tests result: "):].strip().lower()
xml = out.split("=== junit-xml ===\n", 1)
p = f = s = 0
if len(xml) == 2:
    try:
        root = ET.fromstring(xml[1].strip())
        for case in root.iter("testcase"):
            if case.find("skipped") is not None:
                s += 1
            elif case.find("failure") is not None or case.find("error") is not None:
                f += 1
            else:
                p += 1
    except ET.ParseError:
        verdict += " (no junit)"
print(verdict.replace(" ", "_"), p, f, s)
EOF
}

rows=$T/rows
: > "$rows"
printf '%-22s %-28s %-28s\n' module "cell: verdict pass/fail/skip" "native: verdict pass/fail/skip"
for m in "$@"; do
	"$ZVM" run --image "$TESTS" --memory 1G --timeout 300 --epoch "$EPOCH" "$PY" -- \
		regrtest_cell.py --junit-xml /tmp/junit.xml "$m" > "$T/cell.out" 2>&1 </dev/null
	(cd "$T/cwd" && PYTHONPATH=$T/native/usr/lib/python3.11 timeout 300 "$HOSTPY" \
		"$T/native/regrtest_cell.py" --junit-xml "$T/native.xml" "$m" > "$T/native.out" 2>&1 </dev/null)
	read -r cv cp cf cs <<<"$(counts "$T/cell.out")"
	read -r nv np nf ns <<<"$(counts "$T/native.out")"
	printf '%-22s %-28s %-28s\n' "$m" "$cv $cp/$cf/$cs" "$nv $np/$nf/$ns"
	echo "$m $cv $cp $cf $cs $nv $np $nf $ns" >> "$rows"
done

md=$T/table.md
{
	echo "| module | cell | passed | failed | skipped | native | passed | failed | skipped |"
	echo "|---|---|--:|--:|--:|---|--:|--:|--:|"
	while read -r m cv cp cf cs nv np nf ns; do
		echo "| $m | $cv | $cp | $cf | $cs | $nv | $np | $nf | $ns |"
	done < "$rows"
	awk '{cp+=$3; cf+=$4; cs+=$5; np+=$7; nf+=$8; ns+=$9; n++; if ($2=="success") ok++}
	     END {printf "| **%d modules** | %d success | %d | %d | %d | | %d | %d | %d |\n", n, ok, cp, cf, cs, np, nf, ns}' "$rows"
} > "$md"
[ -z "$table" ] || cp "$md" "$table"
if [ -n "$doc" ]; then
	/usr/bin/python3 - "$doc" "$md" <<'EOF'
import sys
doc, md = sys.argv[1], open(sys.argv[2]).read()
text = open(doc).read()
a, b = "<!-- conformance:begin -->\n", "<!-- conformance:end -->"
i, j = text.index(a) + len(a), text.index(b)
open(doc, "w").write(text[:i] + md + text[j:])
EOF
fi
exit 0
