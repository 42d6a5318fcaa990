#!/bin/bash
# Where a template copy's time goes (docs/benchmarks.md, "Where a Python
# copy's time goes"; root and perf): its own zvmd (pool of 2), the
# python-template kept as py and examples/template-hello as c-hello, then
# for each, N copies by zvmd-bench template (request to report) under
#  - perf record -e exceptions:page_fault_user: the cell's page faults per
#    copy by region (text, read-only data with the embedded archive, the
#    writable data and heap, the stack) and kind (read, write), and the
#    worker's own (its start, before the cell);
#  - perf record -g -e cpu-clock: the CPU time of zvm-worker processes per
#    copy, by phase (the worker's exec and ld.so, page faults of the cell,
#    mapping the template, the cell's code, the exit's teardown).
# CPU figures are of a shared machine: compare rows of one run only.
#   tools/bench/template-profile.sh [--runs N] [--template FILE] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
N=200 OUT="" PYT=$BUILD/python-template.nexe
while [ $# -gt 0 ]; do
	case $1 in
	--runs) N=$2; shift 2;;
	--template) PYT=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
	*) echo "template-profile.sh: unknown option $1 (see --help)" >&2; exit 2;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "template-profile.sh: needs root (zvmd, perf -a); skipped" >&2; exit 0; }
command -v perf >/dev/null || { echo "template-profile.sh: needs perf (linux-perf)" >&2; exit 1; }
ZVM=$BUILD/bin/zvm ZB=$BUILD/tests/bin/zvmd-bench
T=$(mktemp -d)
DPID=
trap '[ -n "$DPID" ] && kill "$DPID" 2>/dev/null; rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
cp "$PYT" "$T/py.nexe"
cp "$BUILD/examples/template-hello.nexe" "$T/c-hello.nexe"
printf 'pool_size = 2\nuid_base = 2132000000\ngid_base = 2132000000\ncgroup_parent = zvm-bench-profile\n' >"$T/zvmd.conf"
"$BUILD/bin/zvmd" --config "$T/zvmd.conf" --socket "$T/s" 2>"$T/zvmd.log" & DPID=$!
for i in $(seq 100); do "$ZVM" status -s "$T/s" 2>/dev/null | grep -q 'warm 2' && break; sleep 0.1; done
for t in py c-hello; do "$ZVM" submit -s "$T/s" --keep-as $t "$T/$t.nexe" </dev/null >/dev/null; done
# the cell's address ranges, from its program headers: text, read-only data
read -r TEXT_END RO_END < <(readelf -lW "$T/py.nexe" | python3 -c '
import sys
t = r = 0
for l in sys.stdin:
    f = l.split()
    if f[:1] == ["LOAD"]:
        end = int(f[2], 16) + int(f[5], 16)
        if "E" in f[6:-1]:
            t = end
        elif f[6:-1] == ["R"]:
            r = end
print(t, r)')
classify() { # kind N name: perf script on stdin -> one table row
	python3 -c '
import collections, re, sys
kind, n, name, text_end, ro_end = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
c = collections.Counter()
if kind == "faults":
    for l in sys.stdin:
        if not l.lstrip().startswith("zvm-worker"):
            continue
        m = re.search(r"address=(0x[0-9a-f]+)\s+ip=(0x[0-9a-f]+)\s+error_code=(0x[0-9a-f]+)", l)
        if not m:
            continue
        a, ip, e = (int(x, 16) for x in m.groups())
        if not 0x11000 <= ip < 1 << 32:
            c["worker"] += 1
            continue
        r = "text" if a < text_end else "rodata" if a < ro_end else "heap" if a < 0xf0000000 else "stack"
        if name == "c-hello":
            r = "heap" if r != "stack" else r  # its image is small: all of it counts as data
        c[r + (" w" if e & 2 else " r")] += 1
    cell = sum(v for k, v in c.items() if k != "worker")
    cols = ["text r", "rodata r", "heap r", "heap w", "stack w"]
    print("| %s | %s | %.0f | %s |" % (name, " | ".join("%.0f" % (c[k] / n) for k in cols), cell / n, "%.0f" % (c["worker"] / n)))
else:
    frames, samples = [], []
    for l in sys.stdin:
        if not l.strip():
            if frames:
                samples.append(frames)
            frames = []
        elif not l.startswith(("\t", " ")):
            frames = [l.split()[0]]
        else:
            frames.append(l)
    if frames:
        samples.append(frames)
    for s in samples:
        if s[0] != "zvm-worker":
            continue
        chain = " ".join(s[1:])
        user = any("zvm-image" in f for f in s[1:])
        if "do_exit" in chain or "exit_mmap" in chain:
            k = "exit"
        elif "execve" in chain or "ld-linux" in chain or "load_elf_binary" in chain:
            k = "spawn"
        elif "exc_page_fault" in chain:
            k = "cell faults" if user else "worker"
        elif "__mmap" in chain or "lseek" in chain or "mprotect" in chain or "munmap" in chain:
            k = "map"
        elif user:
            k = "cell code"
        else:
            k = "worker"
        c[k] += 1
    ms = lambda k: "%.2f" % (c[k] / 5.0 / n)
    print("| %s | %s | %.2f |" % (name, " | ".join(ms(k) for k in ["spawn", "worker", "map", "cell faults", "cell code", "exit"]), sum(c.values()) / 5.0 / n))
' "$@" "$TEXT_END" "$RO_END"
}
args() { [ "$1" = py ] && echo "-c pass" || true; }
{
echo "Command: tools/bench/template-profile.sh --runs $N, $(date -u +%Y-%m-%d); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg); py: $(basename "$PYT") \`-c pass\`."
echo
echo "Page faults per copy ($((N / 4)) copies each; r read, w write; the cell's by where they fall, the worker's before the cell starts):"
echo
echo "| template | text r | rodata r | data+heap r | data+heap w | stack w | cell, all | worker |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for t in py c-hello; do
	# shellcheck disable=SC2046
	perf record -q -a -e exceptions:page_fault_user -o "$T/f.data" -- "$ZB" template "$T/s" $t $((N / 4)) 1 $(args $t) >/dev/null
	perf script -i "$T/f.data" -F comm,trace 2>/dev/null | classify faults $((N / 4)) $t
done
echo
echo "CPU ms per copy of the zvm-worker processes ($N copies each, perf -F 5000; request to report p50 beside):"
echo
echo "| template | worker exec + ld.so | worker, other | mapping the template | cell page faults | cell code | exit teardown | all |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for t in py c-hello; do
	# shellcheck disable=SC2046
	perf record -q -a -g -F 5000 -e cpu-clock -o "$T/c.data" -- "$ZB" template "$T/s" $t "$N" 1 $(args $t) >"$T/lat"
	perf script -i "$T/c.data" -F comm,ip,sym,dso 2>/dev/null | classify cpu "$N" "$t ($(cut -d' ' -f1 "$T/lat") ms p50)"
done
} | tee "$T/out.md"
[ -z "$OUT" ] || cp "$T/out.md" "$OUT"
