#!/bin/bash
# CPython 3.11 in a cell (build/python.nexe, docs/python.md): runs with no
# flags (its stdlib is the archive linked into it), a script and modules
# from --image, a file written back with --image-out, what sys and
# sysconfig say, json/re/decimal and the batteries (zlib, bz2, lzma,
# sqlite3, expat) giving Debian's python3.11's answers, and
# hostile programs (a recursion bomb, memory bombs, a thread, a fork, a
# socket, a C stack overflow) ending with a clear result. TAP.
set -u
. "$(dirname "$0")/../lib.sh"
PY=$BUILD/python.nexe
HOSTPY=/usr/bin/python3.11
if [ ! -f "$PY" ]; then
	skip "python.nexe not built (make python)"; exit 0
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache

out=$("$ZVM" run "$PY" -- -c 'print(1)' 2>&1)
check "zvm run python.nexe -- -c 'print(1)' with no flags: $out" [ "$out" = 1 ]

out=$("$ZVM" run "$PY" -- -c 'import sys, sysconfig
print(sys.version.split()[0], sys.platform, sys.prefix, repr(sys.executable), sysconfig.get_platform(),
      sysconfig.get_config_var("CC").split("/")[-1], sysconfig.get_paths()["stdlib"], sys.flags.no_site)' 2>&1)
check "sys.version, sys.platform, sys.prefix, sysconfig (platform, compiler, stdlib): $out" \
	[ "$out" = "3.11.2 linux /usr '' zvm-1.0-x86_64 zvm-cc /usr/lib/python3.11 0" ]

# the stdlib is the linked archive: its files are there, read-only in the
# image and copied on write; a write does not survive into the next cell
out=$("$ZVM" run "$PY" -- -c 'import os, json
p = json.__file__
with open(p, "a") as f: f.write("# changed\n")
print(os.path.basename(p), open(p).read().endswith("# changed\n"))' 2>&1)
out2=$("$ZVM" run "$PY" -- -c 'import json; print(open(json.__file__).read().endswith("# changed\n"))' 2>&1)
check "a stdlib file written in one cell changes there ($out), not in the next ($out2)" \
	[ "$out" = "__init__.py True" -a "$out2" = False ]

# a script and its module from --image, arguments, a data file; a file
# written back with --image-out
mkdir -p "$T/job/lib"
cat > "$T/job/script.py" <<'EOF'
import sys
sys.path.insert(0, "lib")
import helper
words = open("data.txt").read().split()
with open("out/counts.txt", "w") as f:
	for w, n in helper.count(words):
		print(w, n, file=f)
print("args", sys.argv[1:], "words", len(words))
EOF
cat > "$T/job/lib/helper.py" <<'EOF'
import collections
def count(words):
	return sorted(collections.Counter(words).items())
EOF
printf 'b a c a b a\n' > "$T/job/data.txt"
mkdir -p "$T/job/out"
tar -C "$T/job" -cf "$T/job.tar" script.py lib data.txt out
rc=0; out=$("$ZVM" run --image "$T/job.tar" --image-out "$T/out.tar" "$PY" -- script.py x y 2>&1) || rc=$?
check "zvm run --image job.tar python.nexe -- script.py x y (a module from the image): $out" \
	[ $rc = 0 -a "$out" = "args ['x', 'y'] words 6" ]
got=$(tar -xOf "$T/out.tar" out/counts.txt 2>&1 | tr '\n' ' ')
check "--image-out holds the file the script wrote: $got" [ "$got" = "a 3 b 2 c 1 " ]
check "--image-out leaves the untouched stdlib out" [ -z "$(tar -tf "$T/out.tar" | grep '^usr/lib/python3.11/')" ]

# the same answers as Debian's python3.11
prog='import json, re, decimal, fractions, hashlib, zlib if False else None
d = decimal.Decimal
print(json.dumps({"k": [1, 2.5, None, "é"], "n": {"x": True}}, sort_keys=True))
print(json.loads("[1e400, -0.0, \"\\u00e9\"]"))
print(re.findall(r"(\w+)@(\w+)\.org", "a@b.org, c@d.org"), re.sub(r"(?i)B+", "-", "abBbc"))
decimal.getcontext().prec = 50
print(d(2).sqrt(), d("1.1") + d("2.2"), fractions.Fraction(3, 7) ** 3)
print(hashlib.sha256(b"zvm").hexdigest(), sorted({3: 1, 1: 2}.items()), 2 ** 200 % 1000003)'
prog=${prog/ zlib if False else None/}
want=$("$HOSTPY" -c "$prog" 2>&1)
got=$("$ZVM" run "$PY" -- -c "$prog" 2>&1)
check "json, re, decimal, fractions, hashlib, big integers: the same output as $HOSTPY" [ "$got" = "$want" -a -n "$want" ]

# the batteries (zlib, bzip2, xz, SQLite, expat) built in
out=$("$ZVM" run "$PY" -- -c 'import json, sqlite3, zlib; print(json.dumps({"ok": True}))' 2>&1)
check "import json, sqlite3, zlib; print(json.dumps({\"ok\": True})): $out" [ "$out" = '{"ok": true}' ]
prog='import zlib, bz2, lzma, binascii, sqlite3, xml.etree.ElementTree as ET
data = b"zvm " * 5000
print(zlib.crc32(data), binascii.crc32(data), len(zlib.compress(data, 9)), zlib.decompress(zlib.compress(data)) == data)
print(bz2.decompress(bz2.compress(data)) == data, lzma.decompress(lzma.compress(data)) == data)
db = sqlite3.connect(":memory:")
db.execute("create table t (k text, v integer)")
db.executemany("insert into t values (?, ?)", [(str(i % 7), i) for i in range(1000)])
print(db.execute("select k, sum(v), count(*) from t group by k order by k").fetchall()[:3], sqlite3.sqlite_version_info >= (3, 40))
root = ET.fromstring("<a x=\"1\"><b>t</b><b>u</b></a>")
print(root.get("x"), [b.text for b in root.iter("b")])'
want=$("$HOSTPY" -c "$prog" 2>&1)
got=$("$ZVM" run "$PY" -- -c "$prog" 2>&1)
check "zlib, crc32, bz2, lzma, sqlite3, xml.etree (expat): the same output as $HOSTPY" [ "$got" = "$want" -a -n "$want" ]
rc=0; "$ZVM" run --image-out "$T/gz.tar" "$PY" -- -c 'import gzip, tarfile, io
with gzip.open("/tmp/out.txt.gz", "wt") as f: f.write("compressed in a cell\n" * 100)
import shutil; shutil.move("/tmp/out.txt.gz", "/out.txt.gz")' > "$T/gz.out" 2>&1 || rc=$?
got=$(tar -xOf "$T/gz.tar" out.txt.gz 2>/dev/null | gzip -dc | sort | uniq -c | tr -s ' ')
check "a gzip file written in the cell, gunzipped by the host: $got (rc $rc)" [ "$got" = " 100 compressed in a cell" ]

out=$("$ZVM" run "$PY" -- -c 'import random; print(random.random())' 2>&1)
out2=$("$ZVM" run "$PY" -- -c 'import random; print(random.random())' 2>&1)
out3=$("$ZVM" run --seed 7 "$PY" -- -c 'import random; print(random.random())' 2>&1)
check "random is the cell's seeded stream: the same twice ($out), another with --seed 7 ($out3)" \
	[ "$out" = "$out2" -a "$out" != "$out3" ]

# hostile programs: each ends with a clear result, never a hang
rc=0; out=$("$ZVM" run "$PY" -- -c 'def f(n): return f(n + 1)
f(0)' 2>&1) || rc=$?
check "a recursion bomb: RecursionError, exit 1 (rc $rc)" [ $rc = 1 -a -n "$(echo "$out" | grep -x 'RecursionError: maximum recursion depth exceeded')" ]
rc=0; out=$("$ZVM" run --memory 128M "$PY" -- -c 'import sys; sys.setrecursionlimit(10 ** 8)
def f(n): return f(n + 1)
f(0)' 2>&1) || rc=$?
check "the same with the limit lifted: the cell's memory limit ends it (122): $(echo "$out" | tail -1)" \
	[ $rc = 122 -a -n "$(echo "$out" | grep 'memory limit 128 MiB reached')" ]
rc=0; out=$("$ZVM" run "$PY" -- -c 'import sys; sys.setrecursionlimit(10 ** 8)
l = []
for i in range(10 ** 6): l = [l]
repr(l)' 2>&1) || rc=$?
check "a C stack overflow (repr of a list nested 10^6 deep): SIGSEGV at the stack's end, reported (rc $rc)" \
	[ $rc = 139 -a -n "$(echo "$out" | grep 'killed by signal 11')" ]
rc=0; out=$("$ZVM" run "$PY" -- -c 'try:
    x = bytearray(10 ** 10)
except MemoryError:
    print("MemoryError caught")
x = bytearray(10 ** 6)
print("and on", len(x))' 2>/dev/null) || rc=$?
check "a 10 GB allocation: MemoryError the program catches and goes on after (rc $rc): $out" \
	[ "$(echo "$out" | tr '\n' ' ')" = "MemoryError caught and on 1000000 " ]
rc=0; out=$("$ZVM" run --memory 64M "$PY" -- -c 'x = []
while True: x.append(bytes(10 ** 6))' 2>&1) || rc=$?
check "memory eaten a megabyte at a time: MemoryError at the 64 MiB limit, 122: $(echo "$out" | tail -1)" \
	[ $rc = 122 -a -n "$(echo "$out" | grep -x MemoryError)" ]
rc=0; out=$("$ZVM" run "$PY" -- -c 'import threading
t = threading.Thread(target=print, args=("thread ran",))
try:
    t.start()
except RuntimeError as e:
    print("RuntimeError:", e)' 2>&1) || rc=$?
check "Thread.start() raises RuntimeError (rc $rc): $out" [ $rc = 0 -a "$out" = "RuntimeError: can't start new thread" ]
for what in 'import os; os.fork()' 'import socket; socket.socket()' 'import subprocess; subprocess.run(["/bin/true"])'; do
	rc=0; out=$("$ZVM" run "$PY" -- -c "$what" 2>&1) || rc=$?
	last=$(echo "$out" | tail -1)
	check "$what: $last (rc $rc)" [ $rc = 1 -a "$last" = "OSError: [Errno 38] Function not implemented" ]
done
out=$("$ZVM" run "$PY" -- -c 'import os; print(os.system("true"))' 2>&1)
check "os.system() cannot start a shell: it returns -1 ($out)" [ "$out" = -1 ]
rc=0; out=$("$ZVM" run "$PY" -- -c 'import ctypes' 2>&1) || rc=$?
check "no ctypes: $(echo "$out" | tail -1)" [ $rc = 1 -a "$(echo "$out" | tail -1)" = "ModuleNotFoundError: No module named '_ctypes'" ]
rc=0; out=$("$ZVM" run --timeout 1 "$PY" -- -c 'while True: pass' 2>&1) || rc=$?
check "an endless loop: the wall limit ends it (124): $out" [ $rc = 124 ]
