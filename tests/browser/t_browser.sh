#!/bin/bash
# The playground in a real browser (tests/browser/playground.cjs): Debian's
# chromium, headless, driven by playwright-core from npm, against a zvmd
# and a zvm serve this script starts on loopback (and stops, whatever
# happens). Screenshots in $BUILD/playground-*.png. Root (zvmd). TAP.
set -u
source "$(dirname "$0")/../lib.sh"
SERVE=$BUILD/bin/zvm-serve ZVMD=$BUILD/bin/zvmd
PW=$BUILD/npm/browser/node_modules/playwright-core
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
if [ ! -x "$SERVE" ] || [ ! -x "$ZVMD" ] || [ ! -f "$BUILD/playground/app.js" ]; then skip "zvm serve or the playground not built"; exit 0; fi
if [ ! -d "$PW" ]; then skip "playwright-core not installed (make playground)"; exit 0; fi
if [ -z "$CHROMIUM" ] || ! command -v node > /dev/null; then skip "chromium or node missing (make deps)"; exit 0; fi
if [ "$(id -u)" != 0 ]; then skip "zvmd needs root"; exit 0; fi

T=$(mktemp -d)
chmod 755 "$T"
cleanup() {
	[ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	[ -n "${DPID:-}" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
cat > "$T/zvmd.conf" <<EOF2
pool_size = 4
uid_base = 2141000000
gid_base = 2141000000
cgroup_parent = zvm-browser-test
socket_mode = 0666
EOF2
SOCK=$T/zvm.sock
mkdir -m 1777 "$T/state" # zvm serve (nobody) writes its compiles here
ZVM_CACHE_DIR=$T/cache "$ZVMD" --config "$T/zvmd.conf" --socket "$SOCK" 2> "$T/zvmd.log" & DPID=$!
for i in $(seq 100); do "$ZVM" status -s "$SOCK" 2> /dev/null | grep -q 'warm 4' && break; sleep 0.1; done
PORT=$((20000 + RANDOM % 20000))
URL=http://127.0.0.1:$PORT
"$SERVE" --listen 127.0.0.1:$PORT --socket "$SOCK" --playground "$(realpath "$BUILD/playground")" \
	--state-dir "$T/state" --user nobody 2> "$T/serve.log" & SPID=$!
for i in $(seq 100); do curl -s -o /dev/null "$URL/" && break; sleep 0.1; done
if ! curl -sf -o /dev/null "$URL/api/v2/runtimes"; then
	nok "zvm serve answers on $URL"; sed 's/^/# /' "$T/serve.log" "$T/zvmd.log" | tail -20; exit 1
fi
rm -f "$BUILD"/playground-*.png "$BUILD/playground.png"
mkdir -p "$T/shots"
PLAYWRIGHT_CORE=$(realpath "$PW") CHROMIUM=$CHROMIUM HOME=$T timeout 300 node tests/browser/playground.cjs "$URL" "$T/shots"
rc=$?
cp "$T"/shots/*.png "$BUILD/" 2> /dev/null
[ $rc = 0 ] || { sed 's/^/# serve: /' "$T/serve.log" | tail -20; }
exit $rc
