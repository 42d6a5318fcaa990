#!/bin/bash
# zvmd attacked by an ordinary client (issue #8's defects 1-4): a queued job
# must run its own image whatever is uploaded meanwhile; a digest names an
# image only for the uid that sent it; no client can stall the loop (a
# stalled or trickling request, a FIFO or a pipe or the connection itself as
# the image) and wall-time deadlines fire meanwhile; per-uid limits on
# connections and waiting jobs; a byte cap on the image cache. Each check
# fails against the zvmd before these fixes (ZVMD=... to try another). TAP.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ZVM=$BUILD/bin/zvm ZVMD=${ZVMD:-$BUILD/bin/zvmd} RAW=$BUILD/tests/bin/zvmd-raw
n=0
ok()   { n=$((n+1)); echo "ok $n - $*"; }
nok()  { n=$((n+1)); echo "not ok $n - $*"; }
skip() { n=$((n+1)); echo "ok $n # skip $*"; }
check() { local w=$1; shift; if "$@"; then ok "$w"; else nok "$w"; fi; }
if [ "$(id -u)" != 0 ]; then echo "ok 1 # skip needs root"; exit 0; fi
if [ ! -x "$ZVMD" ] || [ ! -x "$RAW" ] || [ ! -f "$BUILD/examples/cat.nexe" ]; then echo "ok 1 # skip zvmd not built"; exit 0; fi
T=$(mktemp -d)
chmod 711 "$T"
mkdir -p "$T/pub" && chmod 755 "$T/pub"
DPID= BG=
cleanup() { [ -n "$BG" ] && kill -9 $BG 2>/dev/null; [ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
for p in loop membomb; do
	gcc -c -I tests/hostile tests/hostile/$p.S -o "$T/$p.o" && ld -static -nostdlib -T "$BUILD/runtime/zvm.ld" "$T/$p.o" -o "$T/pub/$p.nexe"
done
for p in cat hello wordfreq; do cp "$BUILD/examples/$p.nexe" "$T/pub/"; done
cp "$ZVM" "$T/pub/zvm"
cp "$RAW" "$T/pub/zvmd-raw" && chmod 755 "$T/pub/zvmd-raw"
chmod 755 "$T/pub/zvm"; chmod 644 "$T"/pub/*.nexe

# start_zvmd CONF-LINES...: a private zvmd with one worker
start_zvmd() {
	[ -n "$DPID" ] && { kill -TERM "$DPID"; wait "$DPID" 2>/dev/null; }
	{ printf 'pool_size = 1\nmax_timeout = 10\ndefault_timeout = 5\ndefault_cpu_time = 5\n'
	  printf 'cgroup_parent = zvm-atest\nuid_base = 2100001000\ngid_base = 2100001000\nsocket_mode = 0666\n'
	  printf '%s\n' "$@"; } > "$T/zvmd.conf"
	# OLD_ZVMD=1: a zvmd from before these keys existed (to see the checks fail there)
	[ -z "${OLD_ZVMD:-}" ] || sed -i -E '/^(request_timeout|uid_|image_cache_bytes)/d' "$T/zvmd.conf"
	"$ZVMD" --config "$T/zvmd.conf" --socket "$T/pub/s" 2>>"$T/zvmd.log" & DPID=$!
	for i in $(seq 100); do "$ZVM" status -s "$T/pub/s" 2>/dev/null | grep -q 'warm 1' && return 0; sleep 0.05; done
	return 1
}
# status within a second: the loop is serving
serving() { timeout 1 "$ZVM" status -s "$T/pub/s" >/dev/null 2>&1; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# --- 1. a queued job owns its image: uploads meanwhile cannot swap it
start_zvmd 'image_cache = 2' || { nok "zvmd did not start: $(tail -3 "$T/zvmd.log")"; exit 1; }
"$ZVM" submit -s "$T/pub/s" --report none --timeout 3 "$T/pub/loop.nexe" </dev/null 2>/dev/null & BG=$!
sleep 0.3
echo "my own input" | "$ZVM" submit -s "$T/pub/s" --report none "$T/pub/cat.nexe" >"$T/queued.out" 2>&1 & Q=$!
sleep 0.3
for p in hello wordfreq membomb; do "$ZVM" upload -s "$T/pub/s" "$T/pub/$p.nexe" >/dev/null 2>&1; done
wait $Q; wait $BG; BG=
check "a queued job runs its own image though three uploads evicted it from a cache of 2" \
	bash -c "[ \"\$(cat '$T/queued.out')\" = 'my own input' ]"

# --- 2. digests are per uid
dg=$("$ZVM" upload -s "$T/pub/s" "$T/pub/cat.nexe" 2>/dev/null)
rc=0; echo x | as_nobody "$T/pub/zvm" submit -s "$T/pub/s" --report none --digest "$dg" >"$T/d.out" 2>"$T/d.err" || rc=$?
check "another uid cannot run root's upload by its digest ('not found', not the program)" \
	bash -c "[ $rc = 125 ] && grep -q 'not found' '$T/d.err' && ! grep -q x '$T/d.out'"
check "another uid's system map cannot name root's upload either ('not found', naming the node)" \
	bash -c "setpriv --reuid=65534 --regid=65534 --clear-groups '$T/pub/zvmd-raw' '$T/pub/s' map many '$dg' 1 | grep -q '^error 4: node 0: no image with that digest was validated for uid 65534'"
dg2=$(as_nobody "$T/pub/zvm" upload -s "$T/pub/s" "$T/pub/cat.nexe" 2>/dev/null)
out=$(echo mine | as_nobody "$T/pub/zvm" submit -s "$T/pub/s" --report none --digest "$dg2" 2>&1)
check "after uploading it itself, that uid runs it by digest" bash -c "[ '$dg2' = '$dg' ] && [ '$out' = mine ]"

# --- 3. nobody stalls the loop
start_zvmd 'request_timeout = 2' || { nok "zvmd did not restart"; exit 1; }
out=$("$RAW" "$T/pub/s" stall)
check "half a request, then silence: error 'timeout' after request_timeout" bash -c "echo '$out' | grep -q '^error 9: the request did not arrive within 2 s'"
"$RAW" "$T/pub/s" trickle 0.4 >"$T/trickle.out" & BG=$!
sleep 0.3
s0=$(date +%s.%N)
"$ZVM" submit -s "$T/pub/s" --report json --timeout 1 "$T/pub/loop.nexe" </dev/null 2>"$T/r"; rc=$?
el=$(echo "$(date +%s.%N) - $s0" | bc)
check "while a client trickles its request a byte at a time, a 1 s wall limit fires on time (${el}s)" \
	bash -c "[ $rc = 124 ] && awk 'BEGIN {exit !($el < 2.5)}'"
check "... and zvmd answers status meanwhile" serving
wait $BG; BG=
check "... and the trickler is cut off at request_timeout" grep -q '^error 9' "$T/trickle.out"
mkfifo "$T/fifo"
"$RAW" "$T/pub/s" fifo-image "$T/fifo" >"$T/fifo.out" & BG=$!
sleep 0.5
check "a FIFO as the image (its writer held open): zvmd keeps serving" serving
wait $BG; BG=
check "... and the FIFO is refused: not a regular file" grep -q 'report load error: the image must be a regular file or a memfd, not a pipe' "$T/fifo.out"
out=$(timeout 5 "$RAW" "$T/pub/s" pipe-loop)
check "a pipe as the image whose write end is the job's stdout: refused, no hang" \
	bash -c "echo '$out' | grep -q 'not a pipe'"
check "... and zvmd answers status after it" serving
out=$(timeout 5 "$RAW" "$T/pub/s" self-image)
check "the client's own connection as the image: refused, no hang" \
	bash -c "echo '$out' | grep -q 'not a socket'"
check "... and zvmd answers status after it" serving

# --- 4. what one uid may hold
start_zvmd 'uid_connections = 8' 'uid_queued = 2' 'image_cache_bytes = 250K' || { nok "zvmd did not restart"; exit 1; }
"$RAW" "$T/pub/s" hold 12 3 >"$T/hold.out" & BG=$!
sleep 1
out=$(echo hi | as_nobody "$T/pub/zvm" submit -s "$T/pub/s" --report none "$T/pub/cat.nexe" 2>&1)
check "one uid holding its 8 connections: another uid is still served" test "$out" = hi
wait $BG; BG=
check "the 9th connection of that uid is refused, naming the limit" \
	bash -c "grep -q '^held 8' '$T/hold.out' && [ \$(grep -c 'uid 0 has 8 connections open (uid_connections = 8)' '$T/hold.out') = 4 ]"
"$ZVM" submit -s "$T/pub/s" --report none --timeout 3 "$T/pub/loop.nexe" </dev/null 2>/dev/null & BG=$!
sleep 0.3
W2=""
for i in 1 2; do echo q | "$ZVM" submit -s "$T/pub/s" --report none "$T/pub/cat.nexe" >/dev/null 2>&1 & W2="$W2 $!"; done
sleep 0.5
rc=0; echo q | "$ZVM" submit -s "$T/pub/s" --report none "$T/pub/cat.nexe" >/dev/null 2>"$T/q.err" || rc=$?
check "a third waiting job of one uid is refused, naming uid_queued" grep -q 'uid 0 already has 2 jobs waiting (uid_queued = 2)' "$T/q.err"
out=$(echo hi | as_nobody "$T/pub/zvm" submit -s "$T/pub/s" --report none --timeout 5 "$T/pub/cat.nexe" 2>&1)
check "... while another uid's job is still accepted and runs" test "$out" = hi
wait $BG $W2; BG=
for p in hello cat wordfreq membomb; do "$ZVM" upload -s "$T/pub/s" "$T/pub/$p.nexe" >/dev/null 2>&1; done
bytes=0
for f in /proc/$DPID/fd/*; do
	case "$(readlink "$f")" in /memfd:zvm-image*) bytes=$((bytes + $(stat -L -c %s "$f"))) ;; esac
done
check "the image cache keeps at most image_cache_bytes (250K): $bytes bytes held after 4 uploads" \
	bash -c "[ $bytes -gt 0 ] && [ $bytes -le 256000 ]"
"$ZVM" upload -s "$T/pub/s" "$BUILD/lua.nexe" >/dev/null 2>"$T/big.err"
check "an upload larger than the cache can keep is refused, naming the limit" grep -q 'uid_cache_bytes' "$T/big.err"
check "zvmd is still up" serving

# --- 5. many requests that never finish hold a bounded number of bytes
start_zvmd 'uid_connections = 100' 'request_timeout = 20' || { nok "zvmd did not restart"; exit 1; }
"$RAW" "$T/pub/s" bigstall 70 4 >"$T/big.out" & BG=$!
sleep 3
check "64 requests of 1 MiB left one byte short are held, the 65th and later refused naming the cause" \
	bash -c "grep -q '^held 64' '$T/big.out' && [ \$(grep -c 'zvmd is holding .* bytes of requests still arriving' '$T/big.out') = 6 ]"
check "... and zvmd serves others meanwhile" serving
wait $BG; BG=
echo "# zvmd log: $(grep -c . "$T/zvmd.log") lines"
