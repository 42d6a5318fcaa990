#!/bin/bash
# make bench, zvm serve (issue #11, needs root for zvmd): requests/s and
# p50/p99 over loopback HTTP (wrk, --latency) for a cached C hello and a
# Lua one-liner at 1, 8 and 50 connections, beside the same jobs through
# `zvm submit` (client-bench: request to exit, by digest); a compile and
# run of a small C program (a new source each time: no cache); and the
# bounded load test: 10,000 requests from 50 connections, no answer but
# 200 and the declared 429s, serve's descriptors and memory the same
# after as before.
#   tools/bench/serve.sh [--seconds S] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/lib.sh
BUILD=${BUILD:-build}
SECS=5 OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECS=$2; shift 2;;
	--out) OUT=$2; shift 2;;
	*) echo "serve.sh: unknown option $1" >&2; exit 2;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "serve.sh: needs root (zvmd builds namespaces and cgroups)" >&2; exit 0; }
command -v wrk >/dev/null || { echo "serve.sh: wrk missing (make deps)" >&2; exit 0; }
ZVM=$(realpath "$BUILD/bin/zvm") CB=$BUILD/tests/bin/client-bench
T=$(mktemp -d)
chmod 755 "$T"
trap '[ -n "${SPID:-}" ] && kill $SPID 2>/dev/null; [ -n "${DPID:-}" ] && kill $DPID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
cat > "$T/zvmd.conf" <<EOF2
pool_size = 8
queue_max = 1024
uid_connections = 256
uid_queued = 1024
uid_base = 2122000000
gid_base = 2122000000
cgroup_parent = zvm-bench-serve
socket_mode = 0666
EOF2
"$BUILD/bin/zvmd" --config "$T/zvmd.conf" --socket "$T/zvm.sock" 2>"$T/zvmd.log" & DPID=$!
for i in $(seq 50); do "$ZVM" status -s "$T/zvm.sock" 2>/dev/null | grep -q 'warm 8' && break; sleep 0.1; done
TOK=benchbenchbenchbench1 LTOK=loadloadloadloadload1
printf '%s bench\n%s load\n' "$TOK" "$LTOK" > "$T/tokens"
cat > "$T/serve.conf" <<EOF2
rate = 1000000
burst = 1000000
concurrent = 64
cpu_per_minute = 100000
job_threads = 64
[tenant load]
rate = 150
burst = 100
concurrent = 64
cpu_per_minute = 100000
EOF2
PORT=$((20000 + RANDOM % 20000)) URL=http://127.0.0.1:$PORT
"$ZVM" serve --config "$T/serve.conf" --listen 127.0.0.1:$PORT --socket "$T/zvm.sock" --tokens "$T/tokens" \
	--user nobody 2>"$T/serve.log" > /dev/null & SPID=$!
for i in $(seq 50); do curl -s -o /dev/null "$URL/api/v2/runtimes" && break; sleep 0.1; done

hello_c='#include <stdio.h>
int main(void) { puts("hello"); return 0; }'
jq -cn --arg s "$hello_c" '{language:"c",version:"*",files:[{name:"hello.c",content:$s}]}' > "$T/c.json"
jq -cn '{language:"lua",version:"*",files:[{name:"main.lua",content:"print(1 + 1)"}]}' > "$T/lua.json"
curl -s -H "Authorization: Bearer $TOK" --data-binary @"$T/c.json" "$URL/api/v2/execute" > "$T/first.json"
jq -e '.run.stdout == "hello\n"' "$T/first.json" >/dev/null || { echo "serve.sh: the C hello did not run: $(cat "$T/first.json")" >&2; exit 1; }

# a wrk script posting one body, counting the answers by status
wrk_script() { # BODYFILE TOKEN [LIMIT]
	cat <<EOF2
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $2"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$1"); wrk.body = f:read("*a"); f:close()
local threads = {}
function setup(t) table.insert(threads, t) end
n, limit, codes = 0, ${3:-0}, {}   -- globals: t:get reads them
first, last = 0, 0
function response(status, headers, body)
	n = n + 1
	codes[status] = (codes[status] or 0) + 1
	if first == 0 then first = os.time() end
	if limit > 0 and n >= limit then last = os.time(); wrk.thread:stop() end
end
function done(summary, latency, requests)
	local all = {}
	for _, t in ipairs(threads) do
		for s, c in pairs(t:get("codes")) do all[s] = (all[s] or 0) + c end
	end
	for s, c in pairs(all) do io.write(string.format("status %d %d\n", s, c)) end
	-- a bounded run: its own span (wrk waits out -d after the threads stop)
	local a, b = nil, 0
	for _, t in ipairs(threads) do
		local f, l = t:get("first"), t:get("last")
		if f > 0 and (not a or f < a) then a = f end
		if l > b then b = l end
	end
	if a and b > 0 then io.write(string.format("span %d\n", math.max(b - a, 1))) end
end
EOF2
}
ms() { # a wrk duration (850.00us, 1.23ms, 2.00s) in ms
	awk '{v = $1; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; printf "%.2f", v}' <<< "$1"
}
row() { # LABEL BODY CONNECTIONS
	wrk_script "$2" "$TOK" > "$T/s.lua"
	wrk -t "$(( $3 < 2 ? 1 : 2 ))" -c "$3" -d "${SECS}s" --latency -s "$T/s.lua" "$URL/api/v2/execute" > "$T/wrk.out" 2>&1 || { echo "serve.sh: wrk failed: $(cat "$T/wrk.out")" >&2; return 1; }
	local rps p50 p99 bad
	rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$T/wrk.out")
	p50=$(ms "$(awk '$1 == "50%" {print $2}' "$T/wrk.out")")
	p99=$(ms "$(awk '$1 == "99%" {print $2}' "$T/wrk.out")")
	bad=$(awk '$1 == "status" && $2 != 200 {s += $3} END {print s + 0}' "$T/wrk.out")
	echo "| $1 | $3 | $rps | $p50 | $p99 | $bad |"
}
{
echo "Command: \`make bench\` (tools/bench/serve.sh --seconds $SECS), $(date -u +%Y-%m-%d); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), load average $(cut -d' ' -f1 /proc/loadavg) at start. zvmd pool of 8; zvm serve with 64 job threads, loopback, wrk (keep-alive)."
echo
echo "### POST /api/v2/execute over HTTP (wrk, ${SECS} s each)"
echo
echo "| job | connections | requests/s | p50 ms | p99 ms | answers not 200 |"
echo "|---|---:|---:|---:|---:|---:|"
for c in 1 8 50; do row "C hello, compiled once (the tenant's cache)" "$T/c.json" $c; done
for c in 1 8 50; do row "Lua one-liner \`print(1 + 1)\`" "$T/lua.json" $c; done
echo
echo "### The same jobs through \`zvm submit\` (a process per job, one at a time; client-bench, request to exit)"
echo
D=$("$ZVM" upload -s "$T/zvm.sock" "$BUILD/examples/hello.nexe")
LD=$("$ZVM" upload -s "$T/zvm.sock" "$BUILD/lua.nexe")
echo "| how | p50 ms | p90 ms | p99 ms | medians of the rounds |"
echo "|---|---:|---:|---:|---:|"
"$CB" "$T/zvm.sock" "$D" 1000 5 \
	-- "\`zvm submit --digest\` of hello.nexe" "$ZVM" submit -s "$T/zvm.sock" --report none --digest "$D" \
	-- "\`zvm submit --digest\` of lua.nexe, LUA_INIT='print(1 + 1)'" "$ZVM" submit -s "$T/zvm.sock" --report none --env 'LUA_INIT=print(1 + 1)' --digest "$LD" \
	| grep -v '^|---' | grep -v '^| how' || true
echo
echo "### Compile and run a small C program (a new source each time: zvm-compile's jail, upload, run)"
echo
: > "$T/cc.ms"
for i in $(seq 10); do
	src="#include <stdio.h>
int main(void) { int s = 0; for (int i = 0; i < $i; i++) s += i; printf(\"%d\\n\", s); return 0; }"
	jq -cn --arg s "$src" '{language:"c",version:"*",files:[{name:"sum.c",content:$s}]}' > "$T/cc.json"
	curl -s -o "$T/cc.out" -w '%{time_total}\n' -H "Authorization: Bearer $TOK" --data-binary @"$T/cc.json" \
		"$URL/api/v2/execute" | awk '{printf "%.1f\n", $1 * 1000}' >> "$T/cc.ms"
	jq -e '.run.code == 0 and .compile.cached == false' "$T/cc.out" >/dev/null || echo "(run $i failed: $(head -c 200 "$T/cc.out"))"
done
echo "10 compiles: median $(median < "$T/cc.ms") ms, fastest $(sort -n "$T/cc.ms" | head -1) ms, slowest $(sort -n "$T/cc.ms" | tail -1) ms (spread $(spread "$T/cc.ms"))."
echo
load() { # TITLE TOKEN: 10,000 requests from 50 connections, the answers counted
	local fd0 rss0 fd1 rss1 total ok lim errs span
	echo "### The bounded load test: $1"
	echo
	fd0=$(ls /proc/$SPID/fd | wc -l); rss0=$(awk '/VmRSS/ {print $2}' /proc/$SPID/status)
	wrk_script "$T/lua.json" "$2" 5000 > "$T/l.lua"
	wrk -t 2 -c 50 -d 60s -s "$T/l.lua" "$URL/api/v2/execute" > "$T/load.out" 2>&1
	sleep 1
	fd1=$(ls /proc/$SPID/fd | wc -l); rss1=$(awk '/VmRSS/ {print $2}' /proc/$SPID/status)
	total=$(awk '$1 == "status" {s += $3} END {print s + 0}' "$T/load.out")
	ok=$(awk '$1 == "status" && $2 == 200 {s += $3} END {print s + 0}' "$T/load.out")
	lim=$(awk '$1 == "status" && $2 == 429 {s += $3} END {print s + 0}' "$T/load.out")
	errs=$(grep -o 'Socket errors:.*' "$T/load.out" || echo "Socket errors: none")
	span=$(awk '$1 == "span" {print $2}' "$T/load.out")
	echo "$total answers: $ok x 200, $lim x 429 (declared: Retry-After), $((total - ok - lim)) other; $errs; about $((total / ${span:-1})) requests/s over ${span:-?} s."
	echo "zvm serve before: $fd0 descriptors, $rss0 KiB resident; after: $fd1 descriptors, $rss1 KiB."
	echo
}
load "10,000 Lua one-liners from 50 connections, every one run (no rate limit)" "$TOK"
load "10,000 requests from 50 connections, tenant \"load\" (150 requests/s, burst 100)" "$LTOK"
} | tee "$T/out.md"
[ -z "$OUT" ] || cp "$T/out.md" "$OUT"
