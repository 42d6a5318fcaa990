#!/bin/bash
# POST /v1/maps (docs/http.md): the word count example map over HTTP giving
# the counts `zvm map` gives, outputs inline with their truncation, the
# map's report, tenants' images and quotas, and hostile maps (malformed,
# 10,000 nodes, a cycle, host paths, another tenant's digest): each a clear
# 4xx, nothing run, nothing crashed, no cell or spool left. Root (zvmd);
# serve runs as nobody. TAP.
set -u
source "$(dirname "$0")/../lib.sh"
SERVE=$BUILD/bin/zvm-serve ZVMD=$BUILD/bin/zvmd
MAPPER=$BUILD/examples/wordcount/mapper.nexe REDUCER=$BUILD/examples/wordcount/reducer.nexe
if [ ! -x "$SERVE" ] || [ ! -x "$ZVMD" ] || [ ! -f "$MAPPER" ]; then skip "not built"; exit 0; fi
for tool in curl jq; do command -v $tool >/dev/null || { skip "$tool missing (make deps)"; exit 0; }; done
if [ "$(id -u)" != 0 ]; then skip "zvmd needs root"; exit 0; fi

T=$(mktemp -d)
chmod 755 "$T"
cleanup() {
	[ -n "${SPID:-}" ] && kill -9 "$SPID" 2>/dev/null
	[ -n "${DPID:-}" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

cat > "$T/zvmd.conf" <<EOF
pool_size = 4
queue_max = 64
uid_base = 2133000000
gid_base = 2133000000
cgroup_parent = zvm-smtest
socket_mode = 0666
EOF
SOCK=$T/zvm.sock
ZVM_CACHE_DIR=$T/cache "$ZVMD" --config "$T/zvmd.conf" --socket "$SOCK" 2>"$T/zvmd.log" &
DPID=$!
for i in $(seq 50); do "$ZVM" status -s "$SOCK" 2>/dev/null | grep -q 'warm 4' && break; sleep 0.1; done

TA=aaaaaaaaaaaaaaaaaaaa TB=bbbbbbbbbbbbbbbbbbbb
printf '%s alice\n%s bob\n' $TA $TB > "$T/tokens"
mkdir -m 777 "$T/state"
cat > "$T/serve.conf" <<EOF
max_timeout = 5
max_output = 256K
max_memory = 128M
state_dir = $T/state
EOF
start_serve() { # on a free loopback port: another port when this one is taken
	for try in 1 2 3 4 5; do
		PORT=$((20000 + RANDOM % 20000))
		URL=http://127.0.0.1:$PORT
		"$ZVM" serve --config "$T/serve.conf" --listen 127.0.0.1:$PORT --socket "$SOCK" --tokens "$T/tokens" \
			--user nobody --max-body 256K 2>>"$T/serve.log" &
		SPID=$!
		for i in $(seq 50); do
			curl -s -o /dev/null "$URL/v1/status" && return 0
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

# req TOKEN METHOD PATH [CURL ARGS]: the status; the body in $T/body
req() {
	local tok=$1 m=$2 p=$3; shift 3
	curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$m" ${tok:+-H "Authorization: Bearer $tok"} "$@" "$URL$p"
}
post_map() { req "$1" POST /v1/maps -H 'Content-Type: application/json' --data-binary "$2"; }
msg() { jq -r .message "$T/body"; }
upload() { req "$1" POST /v1/images --data-binary @"$2" -H 'Content-Type: application/octet-stream' >/dev/null; jq -r .digest "$T/body"; }

DM=$(upload $TA "$MAPPER") DR=$(upload $TA "$REDUCER")
check "alice uploads the word count's mapper and reducer" [ ${#DM} = 64 -a ${#DR} = 64 ]

# the word count example: one mapper node per data file, inputs inline
wordcount() { # [EXTRA JSON MEMBERS]
	local nodes='[]'
	for f in examples/wordcount/data/*.txt; do
		nodes=$(jq -c --arg n "map-$(basename "$f" .txt)" --arg d "$DM" --rawfile c "$f" \
			'. + [{name: $n, exec: {digest: $d}, devices: [{name: "stdin", content: $c}], connect: ["reduce"]}]' <<< "$nodes")
	done
	nodes=$(jq -c --arg d "$DR" '. + [{name: "reduce", exec: {digest: $d}, devices: [{name: "stdout"}]}]' <<< "$nodes")
	jq -cn --argjson m "$nodes" "{map: \$m} + ${1:-{\}}"
}
"$ZVM" map --socket "$SOCK" examples/wordcount/job.json > "$T/want" 2>"$T/want.err"
check "zvm map --socket runs the word count (the counts to compare with)" \
	bash -c "[ -s '$T/want' ] && grep -q ' [0-9] the$' '$T/want'"
s=$(post_map $TA "$(wordcount)")
jq -j '.nodes[] | select(.name == "reduce") | .outputs.stdout.content' "$T/body" > "$T/got" 2>/dev/null
check "POST /v1/maps: the word count over HTTP: 200, the same counts as zvm map" \
	bash -c "[ $s = 200 ] && cmp -s '$T/want' '$T/got'"
[ "$s" = 200 ] || echo "# $s $(head -c 600 "$T/body")"
check "the answer is the map's report: state ok, exit status 0, every node's state and its zvm report" \
	bash -c "jq -e '.state == \"ok\" and .exit_status == 0 and (.nodes | length) == 4 and all(.nodes[]; .node_state == \"ok\" and .state == \"ok\" and (.channels | length) >= 4)' '$T/body' >/dev/null"
check "outputs carry truncation flags and the limit (64 KiB by default)" \
	bash -c "jq -e '.output_limit == 65536 and (.nodes[3].outputs.stdout.truncated == false)' '$T/body' >/dev/null"
check "an edge's bytes are in the report: each mapper wrote /dev/out/reduce" \
	bash -c "jq -e 'all(.nodes[0:3][]; any(.channels[]; .alias == \"/dev/out/reduce\" and .write_bytes > 0))' '$T/body' >/dev/null"

s=$(post_map $TA "$(wordcount '{output_limit: 10}')")
check "output_limit 10: the reducer's stdout cut at 10 bytes in the cell, truncated true" \
	bash -c "[ $s = 200 ] && jq -e '(.nodes[3].outputs.stdout.content | length) == 10 and .nodes[3].outputs.stdout.truncated == true' '$T/body' >/dev/null"

# count and an input shared by several cells: each reads it from its first byte
s=$(post_map $TA "$(jq -cn --arg m "$DM" --arg r "$DR" '{map: [
	{name: "m", count: 3, exec: {digest: $m}, devices: [{name: "stdin", content: "a b a\n"}], connect: ["r"]},
	{name: "r", exec: {digest: $r}, devices: [{name: "stdout"}]}]}')")
check "count 3 over one inline input: every mapper read all of it (a 6, b 3)" \
	bash -c "[ $s = 200 ] && jq -r '.nodes[3].outputs.stdout.content' '$T/body' | grep -qx ' *6 a' && jq -r '.nodes[3].outputs.stdout.content' '$T/body' | grep -qx ' *3 b'"
[ "$s" = 200 ] || echo "# $s $(head -c 600 "$T/body")"
s=$(post_map $TA "$(jq -cn --arg m "$DM" --arg r "$DR" '{map: [
	{name: "m", exec: {digest: $m}, devices: [{name: "stdin", content: "a a\n"}], connect: ["r"], stream: true},
	{name: "r", exec: {digest: $r}, devices: [{name: "stdout"}]}]}')")
check "a streamed edge over HTTP: spooled through zvmd, the same counts" \
	bash -c "[ $s = 200 ] && jq -r '.nodes[1].outputs.stdout.content' '$T/body' | grep -qx ' *2 a'"
s=$(post_map $TA "$(jq -cn --arg m "$DM" --arg r "$DR" '{map: [
	{name: "m", exec: {digest: $m}, devices: [{name: "stdin", content: "a a\n"}], connect: ["r"], replicate: 2},
	{name: "r", exec: {digest: $r}, devices: [{name: "stdout"}, {name: "output"}], replicate: 3}]}')")
check "replicate over HTTP: replicas agree, the kept replica's stdout returned, an unwritten output empty" \
	bash -c "[ $s = 200 ] && jq -e '.nodes[0].replicas_agree == 2 and .nodes[1].replicas_agree == 3 and .nodes[1].outputs.output.content == \"\" and (.nodes[1].outputs.stdout.content | test(\"^ *2 a\\n$\"))' '$T/body' >/dev/null"
[ "$s" = 200 ] || echo "# $s $(head -c 600 "$T/body")"
ls "$T/state" /proc/$SPID/cwd 2>/dev/null | grep -q PIPE && nok "no \$PIPE file made by a streamed edge" || ok "no \$PIPE file made by a streamed edge"
s=$(post_map $TA "$(jq -cn --arg m "$DM" --arg r "$DR" '{map: [
	{name: "m", exec: {digest: $m}, devices: [{name: "stdin", content: ("eCB5IHgK")}], connect: ["r"]},
	{name: "r", exec: {digest: $r}, devices: [{name: "stdout"}]}]}' | sed 's/"content":"eCB5IHgK"/"content":"eCB5IHgK","encoding":"base64"/')")
check "an input's encoding base64" bash -c "[ $s = 200 ] && jq -r '.nodes[1].outputs.stdout.content' '$T/body' | grep -qx ' *2 x'"

# --- hostile maps: each a clear 4xx naming what is wrong
one() { jq -cn --arg m "$DM" "$1"; }
s=$(post_map $TA '{"map": [')
check "malformed JSON: 400 naming line and column" bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q 'not JSON at line 1'"
s=$(post_map $TA '{"map": {}}')
check "map not an array: 400" bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q '^map: is required'"
s=$(post_map $TA "$(one '{map: [{name: "a", exec: {path: "/bin/sh"}}]}')")
check "exec.path (a host file): 400 naming map[0].exec.path" \
	bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q '^map\[0\].exec.path: a host path is not taken'"
s=$(post_map $TA "$(one '{map: [{name: "a", exec: {digest: $m}, devices: [{name: "stdout"}, {name: "stdin", path: "/etc/shadow"}]}]}')")
check "a device's path (/etc/shadow): 400 naming map[0].devices[1].path" \
	bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q '^map\[0\].devices\[1\].path: a host path'"
s=$(post_map $TA "$(one '{map: [{name: "a", exec: {digest: $m}, devices: [{name: "output", content: "x"}]}]}')")
check "content for a written device: 400" bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q 'devices\[0\].content: output is written by the node'"
s=$(post_map $TA "$(one '{map: [{name: "a", exec: {digest: $m}, devices: [{name: "stdin"}]}]}')")
check "an input without content: 400" bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q 'devices\[0\].content: stdin needs its bytes inline'"
s=$(post_map $TA "$(one '{map: [{name: "a", exec: {digest: $m}, devices: [{name: "disk", content: "x"}]}]}')")
check "an unknown device: 400 with the parser's list" bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q '^map\[0\].devices\[0\].name: unknown device'"
echo "# unknown device: $(msg)"
s=$(post_map $TA "$(one '{map: [{name: "a", exec: {digest: $m}, connect: ["b"]}, {name: "b", exec: {digest: $m}, connect: ["a"]}]}')")
check "a cycle: 400 naming it" bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -qi 'cycle'"
echo "# cycle: $(msg)"
s=$(post_map $TA "$(one '{map: [{name: "a", exec: {digest: $m}, connect: ["nobody"]}]}')")
check "connect to an unknown node: 400" bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q '^map\[0\].connect'"
s=$(post_map $TA "$(one '{map: [range(10000) | {}]}')")
check "10,000 nodes: 400 (at most 1024)" bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q 'at most 1024 nodes'"
s=$(post_map $TA "$(one '{map: [{name: "a", count: 10000, exec: {digest: $m}}]}')")
check "count 10,000: 400 from the parser" bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q '^map\[0\].count'"
echo "# count: $(msg)"
s=$(post_map $TA "$(one '{map: [{name: "a", count: 300, exec: {digest: $m}, devices: [{name: "stdout"}]}]}')")
check "300 output streams: 400 (at most 256 per map)" bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q 'more than 256 output streams'"
s=$(post_map $TA "$(one '{map: [{name: "a", exec: {digest: $m}}], bogus: 1}')")
check "an unknown top-level key: 400" bash -c "[ $s = 400 ]"
s=$(post_map $TA "$(one '{map: [{name: "a", exec: {digest: "zz"}}]}')")
check "a digest that is not 64 hex digits: 400" bash -c "[ $s = 400 ] && jq -r .message '$T/body' | grep -q 'exec.digest: must be 64 hex'"
s=$(post_map $TA "$(one '{map: [{name: "a", exec: {digest: $m}, limits: {Memory: "1G"}}]}')")
check "limits.Memory above the tenant's max_memory: 403 naming it" \
	bash -c "[ $s = 403 ] && jq -r .message '$T/body' | grep -q '^map\[0\].limits.Memory: .* max_memory'"
s=$(post_map $TA "$(one '{map: [{name: "a", exec: {digest: $m}}], timeout: 60000}')")
check "timeout above max_timeout: 403" [ "$s" = 403 ]
s=$(post_map $TA "$(one '{map: [{name: "a", exec: {digest: $m}, devices: [{name: "stdout"}]}], output_limit: 1000000}')")
check "output_limit above max_output: 403" [ "$s" = 403 ]

# another tenant's digest: 404, worded as for one nobody uploaded
s=$(post_map $TB "$(one '{map: [{name: "a", exec: {digest: $m}}]}')")
msg | sed "s/$DM/X/" > "$T/m1"
s2=$(post_map $TB "$(jq -cn '{map: [{name: "a", exec: {digest: "'$(printf '%064d' 7)'"}}]}')")
msg | sed "s/$(printf '%064d' 7)/X/" > "$T/m2"
check "alice's digest in bob's map: 404, the same words as a digest nobody has" \
	bash -c "[ $s = 404 ] && [ $s2 = 404 ] && cmp -s '$T/m1' '$T/m2' && grep -q 'no image X for tenant bob' '$T/m1'"
s=$(req "" POST /v1/maps --data-binary '{}')
check "no token: 401" [ "$s" = 401 ]
s=$(req $TA GET /v1/maps)
check "GET /v1/maps: 405" [ "$s" = 405 ]

# a failing node: the map's state and exit status are the worst node's
s=$(post_map $TA "$(jq -cn --arg m "$DM" '{map: [{name: "r", exec: {digest: $m, args: "/dev"}, devices: [{name: "stdin", content: "a\\n"}, {name: "stdout"}, {name: "stderr"}]}]}')")
check "a node that fails: 200, the map's exit status is its, worst_node names it, its stderr returned" \
	bash -c "[ $s = 200 ] && jq -e '.exit_status != 0 and .worst_node == \"r\" and .nodes[0].node_exit_status == .exit_status and (.nodes[0].outputs.stderr.content | length) > 0' '$T/body' >/dev/null"
echo "# failing node: $(jq -c '{state, exit_status, worst_node, e: .nodes[0].outputs.stderr}' "$T/body" 2>/dev/null)"

# afterwards: serve alive, alice's cells all given back, no spool left
s=$(req $TA GET /v1/status)
check "serve still answers; tenant alice has no cell left running" \
	bash -c "[ $s = 200 ] && jq -e '.tenant.active == 0' '$T/body' >/dev/null"
check "no spool directory left in state_dir" bash -c "[ -z \"\$(ls '$T/state')\" ]"
check "zvm serve did not crash" kill -0 "$SPID"
echo "1..$n"
