#!/bin/bash
# Templates in zvmd (docs/zvmd.md, "Templates"): a cell kept at its keep
# request, each job a copy of it. Isolation between jobs of one template
# (memory, heap, files, fds), the job's own arguments, environment, seed and
# epoch after the copy, ownership and eviction between uids, and hostile
# templates (never keeps, keeps asking, garbage requests, a crash, a job too
# small for the template), after each of which zvmd still serves. TAP.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ZVM=$BUILD/bin/zvm ZVMD=${ZVMD:-$BUILD/bin/zvmd} PROBE=$BUILD/tests/template/tpl-probe.nexe
n=0
ok()   { n=$((n+1)); echo "ok $n - $*"; }
nok()  { n=$((n+1)); echo "not ok $n - $*"; }
check() { local w=$1; shift; if "$@"; then ok "$w"; else nok "$w"; fi; }
if [ "$(id -u)" != 0 ]; then echo "ok 1 # skip needs root"; exit 0; fi
if [ ! -x "$ZVMD" ] || [ ! -f "$PROBE" ]; then echo "ok 1 # skip zvmd or the probe not built"; exit 0; fi
T=$(mktemp -d)
chmod 755 "$T"
DPID=
cleanup() { [ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
for p in tpl_badstack tpl_garbage; do
	gcc -c -I tests/hostile tests/template/$p.S -o "$T/$p.o" && ld -static -nostdlib -T "$BUILD/runtime/zvm.ld" "$T/$p.o" -o "$T/$p.nexe"
done
cp "$PROBE" "$T/probe.nexe"; cp "$ZVM" "$T/zvm"; chmod 755 "$T/zvm"; chmod 644 "$T/probe.nexe"
S=$T/s
{ printf 'pool_size = 2\nmax_timeout = 10\ndefault_timeout = 5\ndefault_cpu_time = 5\nsocket_mode = 0666\n'
  printf 'cgroup_parent = zvm-ttest\nuid_base = 2100002000\ngid_base = 2100002000\nuid_templates = 2\ntemplates_max = 5\n'; } >"$T/zvmd.conf"
start_zvmd() {
	[ -n "$DPID" ] && { kill -TERM "$DPID"; wait "$DPID" 2>/dev/null; }
	"$ZVMD" --config "$T/zvmd.conf" --socket "$S" 2>>"$T/zvmd.log" & DPID=$!
	for i in $(seq 100); do "$ZVM" status -s "$S" 2>/dev/null | grep -q 'warm 2' && return 0; sleep 0.05; done
	return 1
}
start_zvmd || { echo "not ok 1 - zvmd did not start: $(tail -3 "$T/zvmd.log")"; exit 1; }
sub() { "$T/zvm" submit -s "$S" "$@"; }
nob() { setpriv --reuid=65534 --regid=65534 --clear-groups "$T/zvm" submit -s "$S" "$@"; }
serving() { timeout 2 "$ZVM" status -s "$S" >/dev/null 2>&1; }

# --- making one, running copies
sub --keep-as p1 "$T/probe.nexe" -- ROOT1 keep </dev/null >"$T/make.out" 2>&1; rc=$?
check "a cell that asks to be kept becomes a template (exit 0, nothing printed after the keep)" \
	bash -c "[ $rc = 0 ] && [ ! -s '$T/make.out' ]"
out=$(sub --template p1 --env PROBE=on -- read one two </dev/null 2>&1)
check "a copy resumes at the keep with the template's memory and the job's argv and env" \
	bash -c "echo '$out' | grep -q '^kept=1 marker=ROOT1$' && echo '$out' | grep -q '^arg=one$' && echo '$out' | grep -q '^arg=two$' && echo '$out' | grep -q '^env=on$'"
echo in | sub --template p1 -- write >"$T/w.out" 2>&1
out=$(sub --template p1 -- read </dev/null 2>&1)
check "job 2 sees none of job 1's writes: globals, heap, files, fds" \
	bash -c "grep -q '^wrote$' '$T/w.out' && echo '$out' | grep -q '^counter=0 heap=T job-file=no template-file=no template-fd=closed fds3-9=none$' && echo '$out' | grep -q 'marker=ROOT1$'"
r1=$(sub --template p1 --seed 7 -- read </dev/null | grep ^random=)
r2=$(sub --template p1 --seed 7 -- read </dev/null | grep ^random=)
r3=$(sub --template p1 --seed 8 -- read </dev/null | grep ^random=)
check "two jobs' random streams match for equal seeds and differ for different ones" \
	bash -c "[ -n '$r1' ] && [ '$r1' = '$r2' ] && [ '$r1' != '$r3' ]"
t=$(sub --template p1 --epoch 1700000000000000000 -- read </dev/null | grep -o 'time=[0-9]*')
check "the clock starts at the job's epoch" bash -c "[ '$t' = time=1700000000 ]"
out=$(sub --template p1 -- again </dev/null 2>&1)
check "a copy that asks to be kept again gets -EALREADY and goes on" bash -c "echo '$out' | grep -q '^again=-114 again=-114$'"
out=$("$ZVM" run "$T/probe.nexe" -- solo read 2>&1)
check "outside a template (zvm run) the keep returns 0 and the program goes on" bash -c "echo '$out' | grep -q '^kept=0 marker=solo$'"

# --- uids
rc=0; nob --template p1 -- read </dev/null >"$T/o" 2>"$T/e" || rc=$?
check "another uid cannot use root's template ('not found' for its own uid, no output)" \
	bash -c "[ $rc = 125 ] && grep -q \"no template 'p1' for uid 65534\" '$T/e' && [ ! -s '$T/o' ]"
nob --keep-as p1 "$T/probe.nexe" -- NOBODY1 keep </dev/null >/dev/null 2>&1
a=$(nob --template p1 -- read </dev/null | grep -o 'marker=[A-Z0-9]*')
b=$(sub --template p1 -- read </dev/null | grep -o 'marker=[A-Z0-9]*')
check "the same name made by another uid is that uid's: root's template is not replaced" \
	bash -c "[ '$a' = marker=NOBODY1 ] && [ '$b' = marker=ROOT1 ]"
rc=0; nob --keep-as-global g1 "$T/probe.nexe" -- X keep </dev/null 2>"$T/e" || rc=$?
check "only root makes a global template (permission)" bash -c "[ $rc = 125 ] && grep -q 'only root makes global templates' '$T/e'"
sub --keep-as-global g1 "$T/probe.nexe" -- GLOBAL1 keep </dev/null >/dev/null 2>&1
a=$(nob --template g1 -- read </dev/null | grep -o 'marker=[A-Z0-9]*')
check "a global template serves every uid" bash -c "[ '$a' = marker=GLOBAL1 ]"
nob --keep-as g1 "$T/probe.nexe" -- NOBODYG keep </dev/null >/dev/null 2>&1
a=$(nob --template g1 -- read </dev/null | grep -o 'marker=[A-Z0-9]*')
b=$(sub --template g1 -- read </dev/null | grep -o 'marker=[A-Z0-9]*')
check "a uid's own template of a global name shadows it for that uid only; the global one stays" \
	bash -c "[ '$a' = marker=NOBODYG ] && [ '$b' = marker=GLOBAL1 ]"
# nobody holds p1 and g1 (uid_templates = 2): one more evicts its least recently used (p1)
nob --keep-as p3 "$T/probe.nexe" -- NOBODY3 keep </dev/null >/dev/null 2>&1
rc=0; nob --template p1 -- read </dev/null >/dev/null 2>&1 || rc=$?
a=$(nob --template p3 -- read </dev/null | grep -o 'marker=[A-Z0-9]*')
b=$(sub --template p1 -- read </dev/null | grep -o 'marker=[A-Z0-9]*')
check "over uid_templates a uid's own least recently used template is evicted, never another uid's" \
	bash -c "[ $rc = 125 ] && [ '$a' = marker=NOBODY3 ] && [ '$b' = marker=ROOT1 ]"
sub --keep-as p1 "$T/probe.nexe" -- ROOT2 keep </dev/null >/dev/null 2>&1
b=$(sub --template p1 -- read </dev/null | grep -o 'marker=[A-Z0-9]*')
check "making a template again under its name replaces it (the owner's own)" bash -c "[ '$b' = marker=ROOT2 ]"
# templates_max = 5: root's p1, the global g1, nobody's g1 and p3; one more global fills it
sub --keep-as-global g2 "$T/probe.nexe" -- G2 keep </dev/null >/dev/null 2>&1
rc=0; sub --keep-as-global g3 "$T/probe.nexe" -- G3 keep </dev/null 2>"$T/e" >/dev/null || rc=$?
nob --keep-as p4 "$T/probe.nexe" -- NOBODY4 keep </dev/null >/dev/null 2>&1
a=$(nob --template p4 -- read </dev/null | grep -o 'marker=[A-Z0-9]*')
check "past templates_max a new one is refused (limit, 75), but a uid at its own limit still replaces its own" \
	bash -c "[ $rc = 75 ] && grep -q 'templates_max' '$T/e' && [ '$a' = marker=NOBODY4 ]"

# --- hostile templates (a fresh zvmd: room for templates again)
start_zvmd || { nok "zvmd did not restart"; exit 1; }
sub --keep-as p1 "$T/probe.nexe" -- ROOT1 keep </dev/null >/dev/null 2>&1
rc=0; sub --keep-as h1 "$T/probe.nexe" -- H nokeep </dev/null >/dev/null 2>"$T/e" || rc=$?
check "a program that never asks to be kept: a load error saying so, and no template" \
	bash -c "[ $rc = 125 ] && grep -q 'without asking to be kept' '$T/e' && ! sub --template h1 </dev/null >/dev/null 2>&1"
rc=0; sub --keep-as h2 "$T/probe.nexe" -- H garbage </dev/null >"$T/o" 2>"$T/e" || rc=$?
check "heap requests that are neither a size nor the keep request are refused (-EINVAL) and keep nothing" \
	bash -c "grep -q '^heap(2)=-22 heap(4095)=-22$' '$T/o' && grep -q 'without asking to be kept' '$T/e'"
rc=0; sub --template p1 -- crash </dev/null >/dev/null 2>"$T/e" || rc=$?
out=$(sub --template p1 -- read </dev/null 2>&1)
check "a copy that crashes is reported as any cell; the next copy is whole" \
	bash -c "[ $rc = 139 ] && echo '$out' | grep -q '^counter=0 heap=T'"
sub --memory 128M --keep-as big "$T/probe.nexe" -- BIG bigheap </dev/null >/dev/null 2>&1
rc=0; sub --template big --memory 16M -- read </dev/null >/dev/null 2>"$T/e" || rc=$?
check "a job whose memory limit cannot hold the template's heap: a clear load error" \
	bash -c "[ $rc = 125 ] && grep -q \"the template's heap .* does not fit this job's memory limit\" '$T/e'"
rc=0; sub --keep-as 'bad/name' "$T/probe.nexe" </dev/null 2>"$T/e" || rc=$?
check "a template name outside [A-Za-z0-9._-] is refused by the client" bash -c "[ $rc != 0 ] && grep -q 'template name' '$T/e'"
rc=0; sub --keep-as bad "$T/tpl_badstack.nexe" </dev/null >/dev/null 2>"$T/e" || rc=$?
check "a keep request with the stack pointer outside the stack: a load error naming it, no template" \
	bash -c "[ $rc = 125 ] && grep -q 'the stack pointer 0x[0-9a-f]* is outside the stack' '$T/e' && ! sub --template bad </dev/null >/dev/null 2>&1"
sub --keep-as garbage "$T/tpl_garbage.nexe" </dev/null >/dev/null 2>&1
rc=0; sub --template garbage </dev/null >/dev/null 2>&1 || rc=$?
check "a template kept with garbage in every register: its copy returns from the trap with that garbage and its own block" \
	test $rc = 7
sub --keep-as hello "$BUILD/examples/template-hello.nexe" </dev/null >/dev/null 2>&1
echo hi | sub --template hello -- x >"$T/h.out" 2>&1
check "examples/template-hello: a copy has the template's table and the job's argv and stdin" \
	bash -c "grep -q \"^hello from a template's copy (148933 primes\" '$T/h.out' && grep -q '^argv.1. = x$' '$T/h.out' && grep -q '^stdin says: hi$' '$T/h.out'"
if [ -f "$BUILD/lua-template.nexe" ]; then
	sub --keep-as lua "$BUILD/lua-template.nexe" </dev/null >/dev/null 2>&1
	l1=$(sub --template lua --seed 1 -- -e 'print(math.random(1, 1e9))' </dev/null 2>&1)
	l2=$(sub --template lua --seed 1 -- -e 'print(math.random(1, 1e9))' </dev/null 2>&1)
	l3=$(sub --template lua --seed 2 -- -e 'print(math.random(1, 1e9))' </dev/null 2>&1)
	check "Lua from a template: math.random re-seeded from the job's seed (equal seeds match, others differ)" \
		bash -c "[ -n '$l1' ] && [ '$l1' = '$l2' ] && [ '$l1' != '$l3' ] && echo '$l1' | grep -qE '^[0-9]+$'"
else
	n=$((n+1)); echo "ok $n # skip lua-template.nexe not built"
fi

check "zvmd is still serving after all of it" serving
check "zvmd logged no worker failure" bash -c "! grep -q 'failed while warming' '$T/zvmd.log'"
