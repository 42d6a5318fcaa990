#!/bin/bash
# CPython as a template (mk/python/template.c, docs/python.md): the
# interpreter initialised and the common modules imported once, kept by
# zvmd; each job a copy that runs its own -c, -m or script with its own
# sys.argv, environment, random stream and files, and sees nothing of the
# job before it. Also the same program run alone by `zvm run`. TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
BUILD=${BUILD:-build}
ZVM=$BUILD/bin/zvm ZVMD=$BUILD/bin/zvmd PYT=$BUILD/python-template.nexe
if [ "$(id -u)" != 0 ]; then skip "needs root (zvmd)"; exit 0; fi
if [ ! -x "$ZVMD" ] || [ ! -f "$PYT" ]; then skip "zvmd or python-template.nexe not built"; exit 0; fi
T=$(mktemp -d)
DPID=
cleanup() { [ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
S=$T/s
printf 'pool_size = 2\nmax_timeout = 20\ndefault_timeout = 10\ndefault_memory = 256M\ncgroup_parent = zvm-pytest\nuid_base = 2100007000\ngid_base = 2100007000\n' >"$T/zvmd.conf"
"$ZVMD" --config "$T/zvmd.conf" --socket "$S" 2>"$T/zvmd.log" & DPID=$!
for i in $(seq 100); do "$ZVM" status -s "$S" 2>/dev/null | grep -q 'warm 2' && break; sleep 0.05; done
sub() { "$ZVM" submit -s "$S" --memory 256M "$@"; }
py() { sub --template py "$@"; }

sub --keep-as py "$PYT" </dev/null >"$T/keep.out" 2>&1; rc=$?
check "python-template.nexe becomes template py (exit 0, quiet)" bash -c "[ $rc = 0 ] && [ ! -s '$T/keep.out' ]"
out=$(py -- -c 'import sys; print("hello", sys.argv)' a b </dev/null 2>&1); rc=$?
want=$(/usr/bin/python3.11 -c 'import sys; print("hello", sys.argv)' a b)
check "-c from the template: the output and sys.argv of python3.11 -c ($out)" bash -c "[ $rc = 0 ] && [ \"$out\" = \"$want\" ]"

# job 1 changes a preloaded module, sys.modules, a global of __main__ and
# the file tree; job 2, a copy of the same template, sees none of it
py -- -c 'import json, sys, os; json.zvm_mark = 1; sys.modules["zvm_leak"] = json; open("/tmp/job1", "w").write("x"); os.environ["LEAK"] = "1"; globals()["g_leak"] = 2' </dev/null >/dev/null 2>&1
out=$(py -- -c 'import json, sys, os; print(hasattr(json, "zvm_mark"), "zvm_leak" in sys.modules, os.path.exists("/tmp/job1"), "LEAK" in os.environ, "g_leak" in globals())' </dev/null 2>&1)
check "a job sees nothing of the one before (module attribute, sys.modules, file, environment, globals: $out)" \
	test "$out" = "False False False False False"

out=$(py --env FOO=bar --env HOME=/srv -- -c 'import os; print(os.environ.get("FOO"), os.getenv("HOME"), os.environ.get("ZVM_NOPE"))' </dev/null 2>&1)
check "the job's environment in os.environ and os.getenv ($out)" test "$out" = "bar /srv None"

a=$(py --seed 7 -- -c 'import random, os; print(random.random(), os.urandom(4).hex())' </dev/null 2>&1)
b=$(py --seed 7 -- -c 'import random, os; print(random.random(), os.urandom(4).hex())' </dev/null 2>&1)
c=$(py --seed 8 -- -c 'import random, os; print(random.random(), os.urandom(4).hex())' </dev/null 2>&1)
check "random and os.urandom follow the job's seed: equal for equal seeds, not for others ($a / $c)" \
	bash -c "[ -n '$a' ] && [ '$a' = '$b' ] && [ '$a' != '$c' ]"

mkdir -p "$T/job/pkg"
printf 'import sys\nprint("script", __name__, sys.argv)\n' >"$T/job/main.py"
printf 'import sys\nprint("module", __name__, sys.argv[1:])\n' >"$T/job/pkg/tool.py"
: >"$T/job/pkg/__init__.py"
tar -C "$T/job" -cf "$T/job.tar" main.py pkg
out=$(py --image "$T/job.tar" -- main.py x y </dev/null 2>&1)
check "a script from --image runs as __main__ with its sys.argv ($out)" test "$out" = "script __main__ ['main.py', 'x', 'y']"
out=$(py --image "$T/job.tar" -- -m pkg.tool z </dev/null 2>&1)
check "-m runs a module of the image as __main__ ($out)" test "$out" = "module __main__ ['z']"

py -- -c 'import sys; sys.exit(3)' </dev/null >/dev/null 2>&1; rc=$?
py -- -c 'raise ValueError("boom")' </dev/null >/dev/null 2>"$T/err"; rc2=$?
check "exit codes as python3: sys.exit(3) gives 3, an exception 1 with its traceback" \
	bash -c "[ $rc = 3 ] && [ $rc2 = 1 ] && grep -q 'ValueError: boom' '$T/err'"
out=$(echo "from stdin" | py -- -c 'import sys; print(sys.stdin.read().strip())' 2>&1)
check "stdin is the job's ($out)" test "$out" = "from stdin"

py --image-out "$T/out.tar" -- -c 'import atexit; f = open("left-open.txt", "w"); f.write("kept\n"); atexit.register(print, "atexit ran")' </dev/null >"$T/ae" 2>&1
check "at exit: atexit functions run and a file left open is written (--image-out)" \
	bash -c "grep -qx 'atexit ran' '$T/ae' && [ \"\$(tar -xOf '$T/out.tar' left-open.txt)\" = kept ]"

# The exit's helpers are the template's, held by C (mk/python/template.c):
# a job that removes or replaces the module they live in still gets its
# atexit functions and its open files written, and leaves the next job
# nothing of the change
py --image-out "$T/out2.tar" -- -c 'import sys, atexit, _zvm_template as t; t.exit = t.job = None; del sys.modules["_zvm_template"]; f = open("still.txt", "w"); f.write("kept\n"); atexit.register(print, "atexit ran")' </dev/null >"$T/ae2" 2>&1; rc=$?
check "a job without the helpers' module still exits as python3 (exit $rc, atexit, a file left open written)" \
	bash -c "[ $rc = 0 ] && grep -qx 'atexit ran' '$T/ae2' && [ \"\$(tar -xOf '$T/out2.tar' still.txt)\" = kept ]"
out=$(py -- -c 'import _zvm_template as t; print(callable(t.exit), callable(t.job))' </dev/null 2>&1)
check "... and the next job has them ($out)" test "$out" = "True True"
# the template's objects are frozen (gc.freeze before the keep): a copy's
# collections walk only its own
out=$(py -- -c 'import gc; print(gc.get_freeze_count() > 10000, gc.collect() >= 0)' </dev/null 2>&1)
check "the template's objects are in the collector's permanent generation ($out)" test "$out" = "True True"

# The copy's file tree starts from the standard library's tree as the
# template built it before its keep (runtime/zrt/vfs.c, zrt_fs_keep_base),
# not from a fresh parse: a job that changes, removes and adds files there
# leaves nothing for the next one
L=/usr/lib/python3.11
py -- -c "import os; open('$L/this.py', 'w').write('LEAK'); os.unlink('$L/antigravity.py'); open('$L/zvm_leak.py', 'w').write('x = 1'); os.rename('$L/json', '$L/json-gone')" </dev/null >/dev/null 2>&1
out=$(py -- -c "import os; print('LEAK' in open('$L/this.py').read(), os.path.exists('$L/antigravity.py'), os.path.exists('$L/zvm_leak.py'), os.path.isdir('$L/json'), os.path.exists('$L/json-gone'))" </dev/null 2>&1)
check "a job's changes to the standard library's files are not the next job's ($out)" test "$out" = "False True False True False"
# ... and only the archive's tree: the template's own files (its --image,
# what it wrote) are not in a copy's, whose root has the job's times, and
# whose archive files have the archive's (no clock of the template's run)
printf 'secret of the template run\n' >"$T/tpl-secret.txt"
tar -C "$T" -cf "$T/tpl.tar" tpl-secret.txt
sub --epoch 1600000000000000000 --image "$T/tpl.tar" --keep-as py-img "$PYT" </dev/null >/dev/null 2>&1
out=$(sub --template py-img --epoch 1700000000000000000 -- -c "import os; s = os.stat('$L/os.py'); print(os.path.exists('/tpl-secret.txt'), int(os.stat('/').st_mtime) >= 1700000000, s.st_atime == s.st_ctime == s.st_mtime, len(os.listdir('$L')) > 100)" </dev/null 2>&1)
check "a copy's tree has none of the template run's files, the root at the job's epoch, archive times ($out)" \
	test "$out" = "False True True True"

out=$("$ZVM" run --memory 256M "$PYT" -- -c 'import json; print(json.dumps([1, 2]))' 2>&1)
check "run alone by zvm run it is an ordinary python ($out)" test "$out" = "[1, 2]"
check "zvmd still serves" bash -c "timeout 5 '$ZVM' status -s '$S' >/dev/null"
