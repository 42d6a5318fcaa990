#!/bin/bash
# What a zvmd worker holds in memory (needs root; skips otherwise): its own
# slot's window and nothing else of zvmd. A job whose argument is a unique
# marker runs (blocked on stdin) while zvmd starts a fresh worker; then
# every worker's memory is read through /proc/PID/mem: only the job's own
# worker may hold the marker (no other slot's window, no copy of zvmd's
# heap with the job in it), and each worker maps exactly one shared
# window. Fails on a zvmd whose workers are forks of it. TAP.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ZVM=$BUILD/bin/zvm ZVMD=$BUILD/bin/zvmd SCAN=$BUILD/tests/bin/memscan
n=0
ok()   { n=$((n+1)); echo "ok $n - $*"; }
nok()  { n=$((n+1)); echo "not ok $n - $*"; }
check() { local w=$1; shift; if "$@"; then ok "$w"; else nok "$w"; fi; }
if [ "$(id -u)" != 0 ]; then echo "ok 1 # skip needs root"; exit 0; fi
if [ ! -x "$ZVMD" ] || [ ! -x "$SCAN" ] || [ ! -f "$BUILD/examples/hello.nexe" ]; then echo "ok 1 # skip zvmd not built"; exit 0; fi
T=$(mktemp -d)
SOCK=$T/zvm.sock
cleanup() { exec 7>&- 2>/dev/null; [ -n "${DPID:-}" ] && kill -9 "$DPID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
cat > "$T/zvmd.conf" <<EOF2
pool_size = 3
queue_max = 8
max_timeout = 30
default_timeout = 20
default_cpu_time = 20
uid_base = 2100000100
gid_base = 2100000100
cgroup_parent = zvm-wtest
EOF2
"$ZVMD" --config "$T/zvmd.conf" --socket "$SOCK" 2>"$T/zvmd.log" &
DPID=$!
warm() { "$ZVM" status -s "$SOCK" 2>/dev/null | grep -q "warm $1,"; }
busy() { "$ZVM" status -s "$SOCK" 2>/dev/null | grep -q "busy $1,"; }
for i in $(seq 50); do [ -S "$SOCK" ] && warm 3 && break; sleep 0.1; done
check "zvmd starts and warms its pool of 3" warm 3
# zvmd's workers (its other children are validator helpers)
workers_of() { for p in $(pgrep -P "$1"); do [ "$(cat /proc/$p/comm 2>/dev/null)" = zvm-worker ] && echo $p; done; }
# zvmd's zygote, which forks the workers (docs/zvmd.md)
zygote_of() { for p in $(pgrep -P "$1"); do [ "$(cat /proc/$p/comm 2>/dev/null)" = zvm-zygote ] && echo $p; done; }
first=$(workers_of "$DPID" | sort)

# the marker is built here, so it is in no file the workers could have mapped
MARKER="zvm-marker-$$-$RANDOM$RANDOM-$(date +%N)"
mkfifo "$T/in"
"$ZVM" submit -s "$SOCK" --report none --timeout 20 "$BUILD/examples/hello.nexe" -- "$MARKER" <"$T/in" >"$T/out" 2>"$T/err" &
C=$!
exec 7>"$T/in"    # the job now blocks reading its stdin (its output waits in its buffer)
for i in $(seq 50); do busy 1 && break; sleep 0.1; done
check "the marker job runs and waits on its stdin" busy 1
# a short job uses up a worker: zvmd starts a new one while the marker is
# in its memory (the queued job's record, the marker job's window)
echo x | "$ZVM" submit -s "$SOCK" --report none "$BUILD/examples/hello.nexe" >/dev/null 2>&1
for i in $(seq 50); do warm 2 && [ "$(workers_of "$DPID" | wc -l)" = 3 ] && break; sleep 0.1; done
fresh=$(comm -13 <(echo "$first") <(workers_of "$DPID" | sort))
check "a worker was started after the marker job arrived (${fresh:-none})" test -n "$fresh"

holders="" bad_shared=""
for w in $(workers_of "$DPID"); do
	"$SCAN" "$w" "$MARKER" > "$T/scan.$w" || { nok "reading worker $w's memory"; continue; }
	sh=$(awk '$1 == "shared" {print $2}' "$T/scan.$w")
	[ "$sh" = 1 ] || bad_shared="$bad_shared $w:$sh"
	[ "$(awk '$1 == "hits" {print $2}' "$T/scan.$w")" = 0 ] || holders="$holders $w"
done
check "every worker maps exactly one shared window, its own${bad_shared:+ (pid:count$bad_shared)}" test -z "$bad_shared"
nh=$(echo $holders | wc -w)
check "the marker job's own worker holds its argument (the scan sees it)" test "$nh" -ge 1
where=$(for w in $holders; do grep '^hit ' "$T/scan.$w" | sed "s/^/$w: /"; done | tr '\n' ';')
check "no other worker holds it: not in another slot's window, not in a copy of zvmd's heap ($nh holders: $where)" \
	test "$nh" = 1
for w in $fresh; do
	check "the worker started after the job does not hold it" grep -qx 'hits 0' "$T/scan.$w"
done

echo bye >&7; exec 7>&-
wait $C; rc=$?
check "the marker job then ends normally, its argument intact" \
	bash -c "[ $rc = 0 ] && grep -q 'argv\[1\] = $MARKER' '$T/out' && grep -q 'stdin says: bye' '$T/out'"
kill -TERM "$DPID"; wait "$DPID"; drc=$?; DPID=
check "zvmd exits cleanly" test "$drc" = 0
