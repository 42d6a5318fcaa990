#!/bin/bash
# zvm serve (docs/http.md) against a zvmd of its own: Piston-shaped
# requests with curl, tenants (401, 403, 404 across tenants, 429 with its
# headers), limits and truncation, malformed requests, slow and idle
# clients, static files, a SIGTERM drain. Root (zvmd); serve itself runs
# as nobody. TAP.
set -u
source "$(dirname "$0")/../lib.sh"
calc() { awk "BEGIN { printf $1 }"; }
SERVE=$BUILD/bin/zvm-serve ZVMD=$BUILD/bin/zvmd
if [ ! -x "$SERVE" ] || [ ! -x "$ZVMD" ]; then skip "not built"; exit 0; fi
for tool in curl jq; do command -v $tool >/dev/null || { skip "$tool missing (make deps)"; exit 0; }; done

T=$(mktemp -d)
chmod 755 "$T"
cleanup() {
	[ -n "${SPID:-}" ] && kill -9 "$SPID" 2>/dev/null
	[ -n "${DPID:-}" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# --- without zvmd: the command line
check "zvm serve --help prints the usage and exits 0" bash -c "'$ZVM' serve --help | grep -q 'usage: zvm serve'"
printf 'listen = 127.0.0.1:1\nbogus = 1\n' > "$T/bad.conf"
"$SERVE" --config "$T/bad.conf" 2>"$T/bad.err"; rc=$?
check "an unknown key in the configuration: exit 2, naming file and line" \
	bash -c "[ $rc = 2 ] && grep -q 'bad.conf:2: unknown key .bogus.' '$T/bad.err'"
printf 'short alice\n' > "$T/badtok"
"$SERVE" --tokens "$T/badtok" 2>"$T/bad.err"; rc=$?
check "a token shorter than 16 characters is refused (file:line)" bash -c "[ $rc = 2 ] && grep -q 'badtok:1: a token' '$T/bad.err'"

if [ "$(id -u)" != 0 ]; then skip "zvmd needs root"; exit 0; fi

cat > "$T/zvmd.conf" <<EOF
pool_size = 4
queue_max = 64
uid_base = 2132000000
gid_base = 2132000000
cgroup_parent = zvm-stest
socket_mode = 0666
EOF
SOCK=$T/zvm.sock
ZVM_CACHE_DIR=$T/cache "$ZVMD" --config "$T/zvmd.conf" --socket "$SOCK" 2>"$T/zvmd.log" &
DPID=$!
for i in $(seq 50); do "$ZVM" status -s "$SOCK" 2>/dev/null | grep -q 'warm 4' && break; sleep 0.1; done

mkdir -p "$T/play/css" "$T/play/dir"
echo '<!doctype html><title>zvm</title>' > "$T/play/index.html"
echo 'body{}' > "$T/play/css/site.css"
echo 'secret' > "$T/secret"; ln -s "$T/secret" "$T/play/link.txt"
chmod -R a+rX "$T/play"
TA=aaaaaaaaaaaaaaaaaaaa TB=bbbbbbbbbbbbbbbbbbbb TC=cccccccccccccccccccc TD=dddddddddddddddddddd
cat > "$T/tokens" <<EOF
# token tenant
$TA alice
$TB bob
$TC carol   # a tight bucket
$TD dave    # one cell at a time
EOF
cat > "$T/serve.conf" <<EOF
max_timeout = 5
max_output = 256K
request_timeout = 2
[tenant carol]
rate = 0.5
burst = 3
[tenant dave]
concurrent = 1
EOF
start_serve() { # on a free loopback port: another port when this one is taken
	for try in 1 2 3 4 5; do
		PORT=$((20000 + RANDOM % 20000))
		URL=http://127.0.0.1:$PORT
		"$ZVM" serve --config "$T/serve.conf" --listen 127.0.0.1:$PORT --socket "$SOCK" --tokens "$T/tokens" \
			--playground "$T/play" --user nobody --max-body 64K --max-image 1M --max-inflight 1M 2>>"$T/serve.log" &
		SPID=$!
		for i in $(seq 50); do
			curl -s -o /dev/null "$URL/" && return 0
			kill -0 $SPID 2>/dev/null || break
			sleep 0.1
		done
		kill -9 $SPID 2>/dev/null; wait $SPID 2>/dev/null
	done
	echo "# zvm serve did not start: $(tail -3 "$T/serve.log")"
	SPID=
	return 1
}
start_serve || { nok "zvm serve starts"; exit 1; }
check "zvm serve runs unprivileged (as nobody) and says how it listens" \
	bash -c "[ \"\$(stat -c %U /proc/$SPID)\" = nobody ] && grep -q 'listening on 127.0.0.1:$PORT as uid 65534.*bearer tokens required' '$T/serve.log'"

# req TOKEN METHOD PATH [BODY]: the status; the body in $T/body, headers in $T/hdr
req() {
	local tok=$1 m=$2 p=$3; shift 3
	curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$m" ${tok:+-H "Authorization: Bearer $tok"} \
		-H 'Content-Type: application/json' "$@" "$URL$p"
}
lua() { # TOKEN SOURCE [EXTRA JSON MEMBERS]
	local body
	body=$(jq -cn --arg src "$2" '{language: "lua", version: "*", files: [{name: "main.lua", content: $src}]}')
	[ -n "${3:-}" ] && body=$(jq -c ". + $3" <<< "$body")
	req "$1" POST /api/v2/execute --data-binary "$body"
}
j() { jq -r "$1" "$T/body"; }

# --- auth
s=$(req "" GET /api/v2/runtimes)
check "no Authorization header: 401 with WWW-Authenticate" bash -c "[ $s = 401 ] && grep -qi '^WWW-Authenticate: Bearer' '$T/hdr'"
s=$(req wrongwrongwrongwrong GET /api/v2/runtimes)
check "an unknown token: 401" [ "$s" = 401 ]
s=$(req $TA GET /api/v2/runtimes)
check "GET /api/v2/runtimes: c and lua, Piston's fields" \
	bash -c "[ $s = 200 ] && jq -e 'map(.language) | index(\"c\") and index(\"lua\")' '$T/body' >/dev/null && jq -e '.[0] | has(\"version\") and has(\"aliases\")' '$T/body' >/dev/null"

# --- Piston's execute, Lua
s=$(lua $TA 'print("hello " .. io.read("l"))' '{stdin: "world"}')
check "execute lua: stdout, code 0, status null, Piston's run fields" \
	bash -c "[ $s = 200 ] && [ \"\$(jq -r .run.stdout '$T/body')\" = 'hello world' ] && jq -e '.run.code == 0 and .run.status == null and .language == \"lua\" and (.run | has(\"cpu_time\") and has(\"wall_time\") and has(\"memory\") and has(\"signal\") and has(\"output\"))' '$T/body' >/dev/null"
check "run.report is the full zvm report (state, channels with digests)" \
	bash -c "jq -e '.run.report.state == \"ok\" and (.run.report.channels | length) >= 3 and (.run.report.channels[1].sha256 | length) == 64' '$T/body' >/dev/null"
s=$(lua $TA 'print(arg[1], arg[2])' '{args: ["x", "y z"]}')
check "args reach the program" bash -c "[ \"\$(jq -r .run.stdout '$T/body')\" = \$'x\ty z' ]"
s=$(lua $TA 'io.stderr:write("bad\n") os.exit(3)')
check "a non-zero exit: code 3, status RE, stderr apart" \
	bash -c "jq -e '.run.code == 3 and .run.status == \"RE\" and .run.stderr == \"bad\n\"' '$T/body' >/dev/null"
s=$(lua $TA 'while true do end' '{run_timeout: 300}')
check "an endless loop with run_timeout 300: status TO, signal SIGKILL, within the limit" \
	bash -c "jq -e '.run.status == \"TO\" and .run.signal == \"SIGKILL\" and .run.wall_time < 2000' '$T/body' >/dev/null"
s=$(lua $TA 'io.write(string.rep("x", 100000))' '{output_limit: 1000}')
check "output over output_limit: cut at the limit, truncated.stdout true, status OL, never silent" \
	bash -c "jq -e '(.run.stdout | length) == 1000 and .run.truncated.stdout == true and .run.truncated.limit == 1000 and .run.status == \"OL\"' '$T/body' >/dev/null"
s=$(lua $TA 'io.write(string.rep("x", 70000))')
check "the default limit is 64 KiB per stream" \
	bash -c "jq -e '(.run.stdout | length) == 65536 and .run.truncated.stdout == true and .run.truncated.limit == 65536' '$T/body' >/dev/null"
s=$(lua $TA 'print(io.read("n") * 2)' '{runs: [{stdin: "21"}, {stdin: "5"}, {stdin: "x"}]}')
check "runs: one answer per run, in order (compile once, run many)" \
	bash -c "jq -e '(.runs | length) == 3 and .runs[0].stdout == \"42\n\" and .runs[1].stdout == \"10\n\" and .runs[2].status == \"RE\" and .run.stdout == \"42\n\"' '$T/body' >/dev/null"
s=$(req $TA POST /api/v2/execute --data-binary "$(jq -cn '{language:"lua",version:"*",files:[{name:"m.lua",content:("print(\"b64\")"|@base64),encoding:"base64"}]}')")
check "files[].encoding base64" bash -c "[ \"\$(jq -r .run.stdout '$T/body')\" = b64 ]"

# --- bad requests: a clear 4xx naming what is wrong
s=$(req $TA POST /api/v2/execute --data-binary '{"language":"lua",')
check "malformed JSON: 400 naming line and column" bash -c "[ $s = 400 ] && jq -e '.message | test(\"line 1, column\")' '$T/body' >/dev/null"
s=$(req $TA POST /api/v2/execute --data-binary '{"language":"lua","files":"x"}')
check "files of the wrong type: 400 naming files" bash -c "[ $s = 400 ] && jq -e '.message | startswith(\"files\")' '$T/body' >/dev/null"
s=$(req $TA POST /api/v2/execute --data-binary '{"language":"lua","files":[{"content":1}]}')
check "a file's content not a string: 400 naming files[0].content" bash -c "[ $s = 400 ] && jq -e '.message | startswith(\"files[0].content\")' '$T/body' >/dev/null"
s=$(req $TA POST /api/v2/execute --data-binary '{"language":"lua","files":[{"name":"../x","content":""}]}')
check "a file name with .. or /: 400" bash -c "[ $s = 400 ] && jq -e '.message | startswith(\"files[0].name\")' '$T/body' >/dev/null"
s=$(req $TA POST /api/v2/execute --data-binary '{"language":"brainfuck","version":"*","files":[{"content":""}]}')
check "an unknown language: 400, Piston's message" bash -c "[ $s = 400 ] && jq -e '.message == \"brainfuck-* runtime is unknown\"' '$T/body' >/dev/null"
s=$(req $TA POST /api/v2/execute --data-binary '{"language":"lua","version":"9.9","files":[{"content":""}]}')
check "an unknown version: 400" [ "$s" = 400 ]
s=$(lua $TA 'print(1)' '{run_timeout: 60000}')
check "a limit above the tenant's (run_timeout 60 s, max_timeout 5 s): 403 naming both" \
	bash -c "[ $s = 403 ] && jq -e '.message | test(\"run_timeout.*alice.*max_timeout\")' '$T/body' >/dev/null"
head -c 100000 /dev/zero | tr '\0' 'a' > "$T/big"
s=$(req $TA POST /api/v2/execute --data-binary @"$T/big")
check "a body over max_body (64 KiB): 413" [ "$s" = 413 ]
s=$(req $TA GET /api/v2/execute)
check "a wrong method: 405" [ "$s" = 405 ]
s=$(req $TA GET /api/v2/nothing)
check "an unknown API path: 404 JSON" bash -c "[ $s = 404 ] && jq -e .message '$T/body' >/dev/null"

# --- zvm's /v1 and tenants kept apart
s=$(req $TB POST /v1/images --data-binary @"$BUILD/examples/hello.nexe" -H 'Content-Type: application/octet-stream')
D=$(j .digest)
check "POST /v1/images: 201 and the image's SHA-256" \
	bash -c "[ $s = 201 ] && [ '$D' = \"\$(sha256sum '$BUILD/examples/hello.nexe' | cut -c1-64)\" ]"
s=$(req $TB POST /v1/jobs --data-binary "{\"digest\":\"$D\",\"args\":[\"q\"],\"channels\":[{\"alias\":\"/dev/out\",\"output\":true}]}")
check "POST /v1/jobs by digest: the tenant's own image runs" \
	bash -c "[ $s = 200 ] && jq -e '.stdout | test(\"argv\\\\[1\\\\] = q\")' '$T/body' >/dev/null && jq -e '.channels | has(\"/dev/out\")' '$T/body' >/dev/null"
s=$(req $TA POST /v1/jobs --data-binary "{\"digest\":\"$D\"}")
check "another tenant naming that digest: 404, as for a digest nobody has" \
	bash -c "[ $s = 404 ] && jq -e '.message | test(\"for tenant alice\")' '$T/body' >/dev/null"
s=$(req $TA POST /v1/jobs --data-binary "{\"digest\":\"$(printf '5a%.0s' $(seq 32))\"}")
check "a digest nobody uploaded: the same 404" [ "$s" = 404 ]
s=$(req $TA GET /v1/status)
check "GET /v1/status: the tenant's own figures (none of bob's images) and zvmd's pool" \
	bash -c "[ $s = 200 ] && jq -e '.tenant.tenant == \"alice\" and .tenant.images == 0 and .zvmd.pool == 4' '$T/body' >/dev/null"
head -c 4096 /dev/urandom > "$T/junk"
s=$(req $TB POST /v1/images --data-binary @"$T/junk")
check "an upload that is no image: 422 with zvmd's report" bash -c "[ $s = 422 ] && jq -e '.report.state' '$T/body' >/dev/null"
s=$(req $TB POST /v1/maps --data-binary '{}')
check "POST /v1/maps without a map: 400 naming it (maps over HTTP: t_serve_maps.sh)" \
	bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q '^map: is required'"

# --- streaming: a /v1 job's output as server-sent events while it runs
s=$(req $TB POST /v1/images --data-binary @"$BUILD/lua.nexe")
LD=$(j .digest)
prog='for i = 1, 3 do print(i) io.stdout:flush() local x = 0 for k = 1, 1e8 do x = x + k end end io.stderr:write("end\n")'
curl -sN -H "Authorization: Bearer $TB" -d "$(jq -cn --arg d "$LD" --arg p "$prog" '{digest: $d, stream: true, args: ["-e", $p]}')" \
	"$URL/v1/jobs" | while IFS= read -r l; do echo "$(date +%s.%N) $l"; done > "$T/sse"
first=$(awk '$2 == "data:" {print $1; exit}' "$T/sse"); last=$(awk '$2 == "data:" {t = $1} END {print t}' "$T/sse")
early=$(calc "\"%d\", (($last - $first) > 0.3)")
check "stream: true: stdout events as the program writes (the first $(calc "\"%.2f\", $last - $first") s before the result), then stderr, then the result" \
	bash -c "[ \"\$(grep -c '^[0-9.]* event: stdout' '$T/sse')\" = 3 ] && grep -q 'data: \"2\\\\n\"' '$T/sse' && grep -q 'event: stderr' '$T/sse' && tail -2 '$T/sse' | grep -q 'data: {.*\"code\":0' && [ $early = 1 ]"
curl -sN --max-time 0.5 -H "Authorization: Bearer $TB" -d "$(jq -cn --arg d "$LD" --arg p "$prog" '{digest: $d, stream: true, args: ["-e", $p]}')" \
	"$URL/v1/jobs" > /dev/null 2>&1
sleep 2.5
s=$(lua $TB 'print(9)')
check "a client that goes away mid-stream: serve goes on serving" bash -c "[ $s = 200 ] && kill -0 $SPID"

# --- the token bucket: carol has burst 3, 0.5 per second
codes=""
for i in 1 2 3 4; do codes="$codes $(req $TC GET /api/v2/runtimes)"; done
check "a tenant over its bucket: 3 x 200 then 429 ($codes)" [ "$codes" = " 200 200 200 429" ]
check "the 429 has Retry-After and RateLimit-Limit/Remaining/Reset" \
	bash -c "grep -qi '^Retry-After: [1-9]' '$T/hdr' && grep -qi '^RateLimit-Limit: 3' '$T/hdr' && grep -qi '^RateLimit-Remaining: 0' '$T/hdr' && grep -qi '^RateLimit-Reset: ' '$T/hdr'"
s=$(req $TA GET /api/v2/runtimes)
check "... while alice is served" [ "$s" = 200 ]

# --- concurrent cells: dave may run one at a time
lua $TD 'local x = 0 for i = 1, 5e8 do x = x + i end print("long")' '{run_timeout: 5000}' > "$T/dave1.code" &
LP=$!
sleep 0.5
s=$(lua $TD 'print(1)')
cp "$T/hdr" "$T/dave.hdr"
wait $LP
check "a second cell while dave's one runs: 429 with Retry-After; the first ends 200 ($s)" \
	bash -c "[ $s = 429 ] && grep -qi '^Retry-After:' '$T/dave.hdr' && [ \"\$(cat '$T/dave1.code')\" = 200 ]"

# --- static files
s=$(req "" GET /)
check "GET /: the playground's index.html, text/html" bash -c "[ $s = 200 ] && grep -q '<title>zvm' '$T/body' && grep -qi '^Content-Type: text/html' '$T/hdr'"
s=$(req "" GET /css/site.css)
check "a file beneath it, by extension text/css" bash -c "[ $s = 200 ] && grep -qi '^Content-Type: text/css' '$T/hdr'"
s1=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$URL/../secret")
s2=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$URL/css/../../secret")
s3=$(req "" GET /link.txt); s4=$(req "" GET /dir); s5=$(req "" GET /missing.html)
s6=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$URL/%2e%2e/secret")
check "no way out: .. ($s1, $s2, $s6), a symbolic link ($s3), a directory ($s4), a missing file ($s5) are 404" \
	bash -c "[ '$s1 $s2 $s3 $s4 $s5 $s6' = '404 404 404 404 404 404' ]"

# --- slow and idle clients
exec 7<>/dev/tcp/127.0.0.1/$PORT
printf 'POST /api/v2/execute HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 500\r\n\r\n{"lang' "$TA" >&7
s=$(lua $TA 'print(7)')
check "a client sending half a body does not hold up others" [ "$s" = 200 ]
sleep 3.5
printf 'x' >&7 2>/dev/null
resp=$(timeout 2 cat <&7 2>/dev/null | head -c 200)
exec 7>&-
check "... and is cut off after request_timeout (2 s)" bash -c "! grep -q '200 OK' <<< '$resp'"
fds_before=$(ls /proc/$SPID/fd | wc -l)
# bodies being received, all connections together, are bounded (max_inflight 1M: sixteen of 64K)
body=$(head -c 64999 /dev/zero | tr '\0' ' ')
for i in $(seq 17); do
	exec {fd}<>/dev/tcp/127.0.0.1/$PORT
	eval "u$i=$fd"
	# (in a subshell: serve closes the one it refuses, and a write to it is SIGPIPE)
	( printf 'POST /api/v2/execute HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 65000\r\n\r\n%s' "$TA" "$body" >&$fd ) 2>/dev/null
	sleep 0.05
done
resp5=$(timeout 2 head -c 300 <&$u17 2>/dev/null | tr -d '\r' | head -1)
for i in $(seq 17); do v=u$i; fd=${!v}; exec {fd}>&-; done
check "seventeen unfinished 64 KiB bodies at once: the last is 503 (max_inflight), not held ($resp5)" \
	bash -c "grep -q '503' <<< '$resp5'"
sleep 0.3
s=$(lua $TA 'print(10)')
check "... and once they are gone, requests are served again" [ "$s" = 200 ]
ulimit -n 8192 2>/dev/null || true
nconn=$(( $(ulimit -n) > 3000 ? 2000 : 500 ))
for i in $(seq $nconn); do exec {fd}<>/dev/tcp/127.0.0.1/$PORT; eval "c$i=$fd"; done
s=$(lua $TB 'print(8)')
check "$nconn idle connections open: another tenant is still served" [ "$s" = 200 ]
for i in $(seq $nconn); do v=c$i; fd=${!v}; exec {fd}>&-; done
sleep 0.5
fds_after=$(ls /proc/$SPID/fd | wc -l)
check "their descriptors are gone when they close ($fds_before fds before, $fds_after after)" \
	[ "$fds_after" -le $((fds_before + 2)) ]

# --- the C runtime, when the compiler's jail (zvm-compile) is built
if [ -x "$BUILD/bin/zvm-compile" ]; then
	csrc='#include <stdio.h>
int main(int argc, char **argv) { int a = 0, b = 0; if (scanf("%d %d", &a, &b) != 2) return 1; printf("%d\n", a + b); return 0; }'
	cbody=$(jq -cn --arg s "$csrc" '{language:"c",version:"*",files:[{name:"sum.c",content:$s}],stdin:"1 2"}')
	s=$(req $TA POST /api/v2/execute --data-binary "$cbody")
	check "execute c: compiled in its jail and run: 3, a compile stage with code 0" \
		bash -c "[ $s = 200 ] && jq -e '.run.stdout == \"3\n\" and .compile.code == 0' '$T/body' >/dev/null"
	s=$(req $TA POST /api/v2/execute --data-binary "$cbody")
	check "the same source again: from the tenant's cache (compile.cached, status null as Piston's success)" bash -c "jq -e '.compile.cached == true and .compile.status == null and .run.stdout == \"3\n\"' '$T/body' >/dev/null"
	s=$(req $TB POST /api/v2/execute --data-binary "$cbody")
	check "the same source from another tenant: compiled again, no cache hit across tenants" \
		bash -c "jq -e '.compile.cached == false and .run.stdout == \"3\n\"' '$T/body' >/dev/null"
	s=$(req $TA POST /api/v2/execute --data-binary '{"language":"c","version":"*","files":[{"content":"int main( { return 0; }"}]}')
	check "a compile error: the compile stage with the diagnostics, no run" \
		bash -c "[ $s = 200 ] && jq -e '.compile.code != 0 and (.compile.stderr | length) > 0 and (has(\"run\") | not)' '$T/body' >/dev/null"
	s=$(req $TA POST /api/v2/execute --data-binary '{"language":"c","version":"*","files":[{"content":"#include \"/etc/shadow\"\nint main(void) { return 0; }"}]}')
	check "#include \"/etc/shadow\" through the API: a compile error, nothing of the host's file in the answer" \
		bash -c "[ $s = 200 ] && jq -e '.compile.code != 0' '$T/body' >/dev/null && ! grep -q 'root:' '$T/body'"
	s=$(req $TA POST /api/v2/execute --data-binary '{"language":"c","version":"*","files":[{"content":"int main(void){ for(;;); }"}],"run_timeout":200}')
	check "a compiled endless loop: run.status TO" bash -c "jq -e '.run.status == \"TO\" and .compile.code == 0' '$T/body' >/dev/null"
else
	skip "no build/bin/zvm-compile (the compiler's jail): the C runtime is not tried"
fi

# --- a bounded load: 2,000 requests from 50 connections, only 200s and declared 429s, nothing kept after
if command -v wrk >/dev/null; then
	jq -cn '{language:"lua",version:"*",files:[{name:"m.lua",content:"print(1)"}]}' > "$T/load.json"
	cat > "$T/load.lua" <<EOF
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $TB"
local f = io.open("$T/load.json"); wrk.body = f:read("*a"); f:close()
local threads = {}
function setup(t) table.insert(threads, t) end
n, codes = 0, {}
function response(status) n = n + 1; codes[status] = (codes[status] or 0) + 1; if n >= 1000 then wrk.thread:stop() end end
function done()
	for _, t in ipairs(threads) do for s, c in pairs(t:get("codes")) do io.write("status ", s, " ", c, "\n") end end
end
EOF
	fd0=$(ls /proc/$SPID/fd | wc -l); rss0=$(awk '/VmRSS/ {print $2}' /proc/$SPID/status)
	wrk -t 2 -c 50 -d 20s -s "$T/load.lua" "$URL/api/v2/execute" > "$T/load.out" 2>&1
	sleep 1
	fd1=$(ls /proc/$SPID/fd | wc -l); rss1=$(awk '/VmRSS/ {print $2}' /proc/$SPID/status)
	total=$(awk '$1 == "status" {s += $3} END {print s + 0}' "$T/load.out")
	other=$(awk '$1 == "status" && $2 != 200 && $2 != 429 {s += $3} END {print s + 0}' "$T/load.out")
	ran=$(awk '$1 == "status" && $2 == 200 {s += $3} END {print s + 0}' "$T/load.out")
	check "2,000 requests from 50 connections: $total answers, $ran run, the rest 429, $other others, no socket error" \
		bash -c "[ $total -ge 2000 ] && [ $other = 0 ] && [ $ran -gt 0 ] && ! grep -q 'Socket errors' '$T/load.out'"
	check "... and after it serve holds what it held ($fd0 -> $fd1 descriptors, $rss0 -> $rss1 KiB)" \
		bash -c "[ $fd1 -le $((fd0 + 1)) ] && [ $rss1 -le $((rss0 + 8192)) ]"
else
	skip "wrk missing (make deps): no load test"
fi

# --- one log line per request
lines=$(grep -c '^zvm-serve: 127.0.0.1 ' "$T/serve.log")
check "one log line per request ($lines), with tenant, method, path, status" \
	bash -c "[ $lines -ge 40 ] && grep -q '^zvm-serve: 127.0.0.1 carol GET /api/v2/runtimes 429 ' '$T/serve.log'"

# --- SIGTERM drains: a running job is answered, then serve exits 0
lua $TA 'local x = 0 for i = 1, 4e8 do x = x + i end print("drained")' '{run_timeout: 5000}' > "$T/drain.code" &
LP=$!
# SIGTERM once the job runs (alice has one cell active), not before it arrived
for i in $(seq 50); do
	[ "$(curl -s -H "Authorization: Bearer $TA" "$URL/v1/status" | jq -r .tenant.active)" = 1 ] && break
	sleep 0.1
done
sleep 0.2
kill -TERM $SPID
wait $LP
wait $SPID; rc=$?
echo "# drain: code $(cat "$T/drain.code"), serve exit $rc, $(head -c 150 "$T/body"); $(tail -2 "$T/serve.log" | tr "\n" " ")"
SPID=
check "SIGTERM: the running request still gets its answer and serve exits 0" \
	bash -c "[ \"\$(cat '$T/drain.code')\" = 200 ] && [ \"\$(jq -r .run.stdout '$T/body')\" = drained ] && [ \"\$(jq -r '.run.wall_time > 200' '$T/body')\" = true ] && [ $rc = 0 ]"
s=$(curl -s -o /dev/null -w '%{http_code}' "$URL/" 2>/dev/null)
check "... and then nothing listens" [ "$s" = 000 ]
