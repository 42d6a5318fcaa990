#!/bin/bash
# `zvm map --socket` (docs/system-map.md, docs/zvmd.md "Maps") against a
# real zvmd with a pool of 2: byte-identical results to the local runner
# (the word count, N->M), maps far larger than the pool, a single job
# served while a long map runs, a client killed or stopped mid-map (its
# cells killed, nothing left behind), the whole map's wall limit, hostile
# MAP/NODE messages, the per-map and per-uid node limits, and zvmd's fds
# before and after. Then every case of t_map.sh again, through zvmd. TAP.
set -u
source "$(dirname "$0")/../lib.sh"
RAW=$BUILD/tests/bin/zvmd-raw
MAPPER=$PWD/$BUILD/examples/wordcount/mapper.nexe
REDUCER=$PWD/$BUILD/examples/wordcount/reducer.nexe
CAT=$PWD/$BUILD/examples/cat.nexe
HELLO=$PWD/$BUILD/hello.nexe
LUA=$PWD/$BUILD/lua.nexe
if [ "$(id -u)" != 0 ]; then skip "needs root (zvmd)"; exit 0; fi
for f in "$BUILD/bin/zvmd" "$RAW" "$MAPPER" "$REDUCER" "$CAT" "$LUA"; do
	[ -e "$f" ] || { skip "$f not built"; exit 0; }
done
T=$(mktemp -d)
SOCK=$T/zvm.sock
cleanup() { [ -n "${DPID:-}" ] && kill -9 "$DPID" 2>/dev/null; [ -n "${D2:-}" ] && kill -9 "$D2" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
export ZVM_CACHE_DIR=$T/cache TMPDIR=$T/tmp LC_ALL=C
mkdir -p "$T/tmp"
cat > "$T/zvmd.conf" <<EOF
pool_size = 2
default_timeout = 10
map_timeout = 60
map_nodes = 300
uid_map_nodes = 300
uid_map_fds = 520
uid_base = 2100000000
gid_base = 2100000000
cgroup_parent = zvm-maptest
EOF
"$BUILD/bin/zvmd" --config "$T/zvmd.conf" --socket "$SOCK" 2>"$T/zvmd.log" &
DPID=$!
for i in $(seq 50); do "$ZVM" status -s "$SOCK" 2>/dev/null | grep -q 'warm 2' && break; sleep 0.1; done
check "zvmd starts with a pool of 2" bash -c "'$ZVM' status -s '$SOCK' | grep -q 'pool 2, warm 2'"
settle() { for i in $(seq 50); do "$ZVM" status -s "$SOCK" | grep -q 'warm 2, busy 0, queued 0' && break; sleep 0.1; done; }

# --- the same bytes as the local runner
"$ZVM" map examples/wordcount/job.json > "$T/local" 2>/dev/null
"$ZVM" map -s "$SOCK" examples/wordcount/job.json > "$T/out" 2>"$T/err"; rc=$?
check "word count through zvmd: exit 0, quiet, byte-identical to the local run" \
	bash -c "[ $rc = 0 ] && [ ! -s '$T/err' ] && [ -s '$T/local' ] && cmp -s '$T/local' '$T/out'"
"$ZVM" map -s "$SOCK" --report json --report-file "$T/wc.json" examples/wordcount/job.json > /dev/null
check "the JSON report: job ok, each node's report from zvmd (queue and hand-out seconds)" \
	bash -c "grep -q '^{\"state\":\"ok\"' '$T/wc.json' && [ \$(grep -o '\"queue_seconds\"' '$T/wc.json' | wc -l) = 4 ]"
check "the spool is gone when the map ends" bash -c "[ -z \"\$(ls '$T/tmp')\" ]"

# --- many more nodes than workers: 60 mappers into one reducer, 120 copies
mkdir -p "$T/many" "$T/copies" "$T/wide"
for i in $(seq -w 1 120); do printf 'w%s x%s the\nw%s\n' $((10#$i % 7)) "$i" $((10#$i % 5)) > "$T/many/f$i.txt"; done
cp "$T"/many/f0[0-5]*.txt "$T"/many/f060.txt "$T/wide/"
cat > "$T/wide.json" <<JSON
[{"name":"map","exec":{"path":"$MAPPER"},"devices":[{"name":"stdin","path":"wide/*.txt"}],"connect":["reduce"]},
 {"name":"reduce","exec":{"path":"$REDUCER"},"devices":[{"name":"stdout"}]}]
JSON
"$ZVM" map "$T/wide.json" > "$T/wide.local" 2>&1
"$ZVM" map -s "$SOCK" "$T/wide.json" > "$T/wide.out" 2>"$T/err"; rc=$?
(cd "$T/wide" && cat ./*.txt | tr -s ' \n' '\n\n' | sort | uniq -c) > "$T/wide.native"
check "60 mappers -> 1 reducer on a pool of 2: the native counts, as the local run" \
	bash -c "[ $rc = 0 ] && cmp -s '$T/wide.native' '$T/wide.out' && cmp -s '$T/wide.local' '$T/wide.out'"
cat > "$T/copies.json" <<JSON
[{"name":"copy","exec":{"path":"$CAT"},"devices":[{"name":"stdin","path":"many/*.txt"},{"name":"stdout","path":"copies/*.txt"}]}]
JSON
"$ZVM" map -s "$SOCK" "$T/copies.json" 2>"$T/err"; rc=$?
check "120 independent nodes on a pool of 2: every output whole" bash -c "[ $rc = 0 ] && diff -r '$T/many' '$T/copies' >/dev/null"
mkdir -p "$T/many2"; cp "$T"/many/*.txt "$T/many2/"; for i in $(seq 121 150); do echo "w$i" > "$T/many2/f$i.txt"; done
sed 's#many/#many2/#' "$T/copies.json" > "$T/copies2.json"
"$ZVM" map -s "$SOCK" "$T/copies2.json" 2>"$T/err"; rc=$?
check "150 nodes of 4 fds each (3 channels, the image), above uid_map_fds (520): refused as a limit (75), nothing run" bash -c "[ $rc = 75 ] &&
	grep -q 'uid_map_fds = 520' '$T/err' && [ \$(ls '$T/copies' | wc -l) = 120 ]"

# --- N -> M, through zvmd and locally
cat > "$T/nm.json" <<JSON
[{"name":"reduce","exec":{"path":"$REDUCER"},"count":3,"devices":[{"name":"stdout"}]},
 {"name":"map","exec":{"path":"$MAPPER"},"devices":[{"name":"stdin","path":"many/f1*.txt"}],"connect":["reduce"]}]
JSON
"$ZVM" map "$T/nm.json" > "$T/nm.local" 2>/dev/null
"$ZVM" map -s "$SOCK" "$T/nm.json" > "$T/nm.out" 2>"$T/err"; rc=$?
check "N->M (21 mappers, 3 reducers): byte-identical to the local run" bash -c "[ $rc = 0 ] && [ -s '$T/nm.out' ] && cmp -s '$T/nm.local' '$T/nm.out'"

# --- replicas that disagree, through zvmd: each reads its own random bytes
cat > "$T/rand.json" <<JSON
[{"name":"dice","exec":{"path":"$LUA","args":["-e","io.write(io.read(16))"]},"replicate":3,
  "devices":[{"name":"stdin","path":"/dev/urandom"},{"name":"stdout","path":"dice.out"}]}]
JSON
"$ZVM" map -s "$SOCK" --report json --report-file "$T/dice.rep" "$T/rand.json" 2>"$T/err"; rc=$?
check "replicas that disagree through zvmd: exit 120, the node and channel named" bash -c "[ $rc = 120 ] &&
	grep -q '^zvm map: node dice: replica mismatch on /dev/stdout (1 of 3 replicas agree)$' '$T/err' &&
	grep -q '\"name\":\"dice\",\"node_state\":\"replica mismatch\",\"node_exit_status\":120,\"replicas\":3,\"replicas_agree\":1' '$T/dice.rep'"
check "no majority: the first replica's 16 bytes are kept" bash -c "[ \$(stat -c %s '$T/dice.out') = 16 ]"

# --- a single job is served while a long map holds the pool (40 jobs of
# about 45 ms each on 2 workers: the map must outlast the 0.3 s below)
cat > "$T/long.json" <<JSON
[{"name":"spin","count":40,"exec":{"path":"$LUA","args":["-e","local x = 0 for i = 1, 16000000 do x = x + i end"]}}]
JSON
"$ZVM" map -s "$SOCK" "$T/long.json" 2>"$T/long.err" & MP=$!
sleep 0.3
echo fair | "$ZVM" submit -s "$SOCK" --report none "$CAT" > "$T/fair" 2>&1
alive=$(kill -0 $MP 2>/dev/null && echo yes || echo no)
check "a job submitted during a 40-node map runs before the map ends (its turn in the queue)" \
	bash -c "[ \"\$(cat '$T/fair')\" = fair ] && [ $alive = yes ]"
wait $MP; rc=$?
if [ $rc = 0 ]; then ok "the long map itself ends ok"
else nok "the long map itself ends ok (exit $rc)"; sed 's/^/# /' "$T/long.err"; fi
# every image of this test is in zvmd's cache now (one memfd each): what
# zvmd holds from here on must not grow
settle
# zvmd's fds by kind; its one deadline-sweep timer comes and goes with
# requests' deadlines, so timers are counted apart (at most that one)
fds_by_kind() { ls -l /proc/$DPID/fd | awk 'NR > 1 {print $11}' | sed 's/:\[[0-9]*\]//' | grep -v '^anon_inode:\[timerfd\]$' | sort; }
timers() { ls -l /proc/$DPID/fd | grep -c 'anon_inode:\[timerfd\]'; }
fds_by_kind > "$T/fds.before"

# --- a client killed mid-map: its cells die, zvmd keeps nothing
"$ZVM" map -s "$SOCK" "$T/long.json" 2>/dev/null & MP=$!
sleep 0.3; kill -9 $MP; wait $MP 2>/dev/null
settle
check "SIGKILL of zvm map: its cells are killed, the pool is idle again" bash -c "'$ZVM' status -s '$SOCK' | grep -q 'warm 2, busy 0, queued 0'"
for i in $(seq 30); do [ -z "$(ls "$T/tmp")" ] && break; sleep 0.1; done
check "SIGKILL of zvm map: its spool is removed all the same (by its guard)" bash -c "[ -z \"\$(ls '$T/tmp')\" ]"
"$ZVM" map -s "$SOCK" "$T/long.json" 2>/dev/null & MP=$!
sleep 0.3; kill -TERM $MP; wait $MP; rc=$?
settle
check "SIGTERM of zvm map: it ends by the signal (143), its spool removed" bash -c "[ $rc = 143 ] && [ -z \"\$(ls '$T/tmp')\" ]"
# a running cell's output has no name until the cell ends: stopped, it never appears
cat > "$T/spin.json" <<JSON
[{"name":"spin","exec":{"path":"$LUA","args":["-e","local f = io.open('/dev/output', 'w') f:setvbuf('no') while true do f:write('.') end"]},
  "devices":[{"name":"output","path":"spin.out"}]}]
JSON
echo old > "$T/spin.out"
"$ZVM" map -s "$SOCK" "$T/spin.json" 2>/dev/null & MP=$!
sleep 0.5; kill -TERM $MP; wait $MP; rc=$?
settle
check "SIGTERM mid-cell: the output file is as it was (old), no half-written one in its place" \
	bash -c "[ $rc = 143 ] && [ \"\$(cat '$T/spin.out')\" = old ] && [ \$(ls '$T' | grep -c spin.out) = 1 ]"

# --- the whole map's wall limit: map_timeout = 3 s from here on (60
# before, so that the long maps above end on a loaded machine), by SIGHUP
sed -i 's/^map_timeout = 60$/map_timeout = 3/' "$T/zvmd.conf"
n=$(grep -c 'limits reloaded' "$T/zvmd.log")
kill -HUP "$DPID"
for i in $(seq 100); do [ "$(grep -c 'limits reloaded' "$T/zvmd.log")" -gt "$n" ] && break; sleep 0.05; done
cat > "$T/slow.json" <<JSON
[{"name":"forever","exec":{"path":"$LUA","args":["-e","while true do end"]},"connect":["after"]},
 {"name":"after","exec":{"path":"$CAT"},"devices":[{"name":"stdout"}]}]
JSON
"$ZVM" map -s "$SOCK" --report json --report-file "$T/slow.rep" "$T/slow.json" >/dev/null 2>"$T/err"; rc=$?
check "map_timeout: the running node is killed as a timeout (exit 124)" \
	bash -c "[ $rc = 124 ] && grep -q \"\\\"name\\\":\\\"forever\\\",\\\"node_state\\\":\\\"timeout\\\".*the map's wall limit (3 s) ended it\" '$T/slow.rep'"
check "map_timeout: the node after it never started, and says why" \
	grep -q "\"name\":\"after\",\"node_state\":\"timeout\".*not started: the map's wall limit (3 s) passed first" "$T/slow.rep"

# --- the local runner's limits, through zvmd
cat > "$T/sp.json" <<JSON
[{"name":"a","exec":{"path":"$LUA","args":["-e","local o = io.open('/dev/out/b','w') o:write(string.rep('x', 1000)) o:close()"]},"connect":["b"]},
 {"name":"b","exec":{"path":"$LUA","args":["-e","io.write(#io.open('/dev/in/a'):read('a'), '\\\\n')"]},"devices":[{"name":"stdout"}]}]
JSON
out=$("$ZVM" map -s "$SOCK" --spool-bytes 1000 "$T/sp.json" 2>"$T/err"); rc=$?
check "--spool-bytes 1000 through zvmd, an edge of 1000 bytes: ok, all through" bash -c "[ $rc = 0 ] && [ '$out' = 1000 ]"
out=$("$ZVM" map -s "$SOCK" --spool-bytes 999 "$T/sp.json" 2>"$T/err"); rc=$?
check "--spool-bytes 999 through zvmd: spool limit (119), the edge named, its reader sees end of file" bash -c "[ $rc = 119 ] &&
	[ '$out' = 0 ] && grep -q '^zvm map: node a: spool limit on /dev/out/b' '$T/err'"
cat > "$T/lim.json" <<JSON
[{"name":"spin","limits":{"Timeout":"0.5"},"exec":{"path":"$LUA","args":["-e","while true do end"]}}]
JSON
"$ZVM" map -s "$SOCK" --report json --report-file "$T/lim.rep" "$T/lim.json" 2>/dev/null; rc=$?
check "a node's own Timeout (0.5 s) through zvmd: timeout (124) after about that" bash -c "[ $rc = 124 ] &&
	grep -q '\"node_state\":\"timeout\".*\"wall_seconds\":0\.[5-9]' '$T/lim.rep'"
sed -i 's/"limits":{"Timeout":"0.5"},//' "$T/lim.json"
"$ZVM" map -s "$SOCK" --timeout 1 --report json --report-file "$T/lim.rep" "$T/lim.json" 2>/dev/null; rc=$?
check "--timeout 1 through zvmd: the map's own wall limit, below map_timeout, ends it (124)" bash -c "[ $rc = 124 ] &&
	grep -q \"the map's wall limit (1 s) ended it\" '$T/lim.rep'"

# --- hostile maps on the wire
dg=$("$ZVM" upload -s "$SOCK" "$CAT")
check "a node reading itself is refused" bash -c "'$RAW' '$SOCK' map forward $dg | grep -q '^error 1: node 0: input 0 names node 0: a node reads only earlier nodes'"
check "a node reading a later node is refused" bash -c "'$RAW' '$SOCK' map later $dg | grep -q '^error 1: node 0: input 0 names node 1'"
check "an input on a channel the node lacks is refused" bash -c "'$RAW' '$SOCK' map bad-channel $dg | grep -q '^error 1: node 0: .*channel 5 but the node has 1'"
check "a node naming its image by fd is refused (maps run uploaded images)" bash -c "'$RAW' '$SOCK' map by-fd $dg | grep -q '^error 1: node 0: a map.s node names its image by digest'"
check "a SUBMIT with inputs is refused" bash -c "'$RAW' '$SOCK' map submit-inputs $dg | grep -q '^error 1: .*only a map.s NODE has inputs'"
check "another message where a NODE is due is refused" bash -c "'$RAW' '$SOCK' map status $dg | grep -q '^error 1: node 0 of 1: expected a NODE message'"
check "an unknown digest is refused, naming the node" bash -c "'$RAW' '$SOCK' map unknown 00 | grep -q '^error 4: node 0: no image with that digest'"
check "a map above the wire's maximum is malformed" bash -c "'$RAW' '$SOCK' map huge $dg | grep -q '^error 1: MAP: .*above the maximum'"
check "a map that stops arriving ends at the request deadline" bash -c "'$RAW' '$SOCK' map stall $dg | grep -q '^error 9: the request did not arrive'"
check "a raw map of 250 nodes: 250 reports" bash -c "'$RAW' '$SOCK' map many $dg 250 </dev/null | grep -qx 'reports 250'"
check "a map above map_nodes (300) is refused as a limit" bash -c "'$RAW' '$SOCK' map many $dg 301 | grep -q '^error 8: a map of 301 nodes.*map_nodes'"
check "channels that share one passed fd count as the fds zvmd holds: 9 nodes of 60 channels (9 x 61) above uid_map_fds (520) refused" \
	bash -c "'$RAW' '$SOCK' map wide $dg 9 | grep -q '^error 8: node 8: .*uid_map_fds = 520'"
"$ZVM" map -s "$SOCK" "$T/long.json" 2>/dev/null & MP=$!
sleep 0.2
check "the uid's maps together above uid_map_nodes (300) are refused" bash -c "'$RAW' '$SOCK' map many $dg 280 | grep -q '^error 8: .*uid_map_nodes = 300'"
wait $MP

# --- a client that reads none of its reports for 3 s: 150 cells of 60
# channels each (megabytes of reports, far more than a socket holds);
# zvmd keeps them all, and serves another client meanwhile
cat > "$T/big.conf" <<EOF
pool_size = 2
map_nodes = 1024
uid_map_fds = 100000
uid_base = 2102000000
gid_base = 2102000000
cgroup_parent = zvm-maptest2
EOF
"$BUILD/bin/zvmd" --config "$T/big.conf" --socket "$T/big.sock" 2>"$T/big.log" & D2=$!
for i in $(seq 50); do "$ZVM" status -s "$T/big.sock" 2>/dev/null | grep -q 'warm 2' && break; sleep 0.1; done
dg2=$("$ZVM" upload -s "$T/big.sock" "$CAT")
"$RAW" "$T/big.sock" map mute $dg2 150 > "$T/mute.out" 2>&1 </dev/null & RP=$!
for i in $(seq 50); do grep -q '^sent' "$T/mute.out" && break; sleep 0.1; done
served=$(echo served | "$ZVM" submit -s "$T/big.sock" --report none "$CAT" 2>&1)
muted=$(kill -0 $RP 2>/dev/null && echo yes || echo no)
check "a job is served while another client leaves its map's reports unread" bash -c "[ '$served' = served ] && [ $muted = yes ]"
wait $RP
check "... and that client then gets all 150 reports, none lost" grep -qx 'reports 150' "$T/mute.out"
kill -TERM $D2; wait $D2; D2=

settle
sleep 0.3
fds_by_kind > "$T/fds.after"
check "zvmd holds the fds it held before all of it (as many of each kind; timers: $(timers), at most the sweep's)" \
	bash -c "cmp -s '$T/fds.before' '$T/fds.after' && [ $(timers) -le 1 ]"
diff "$T/fds.before" "$T/fds.after" | sed 's/^/# /' 
check "zvmd is still serving" bash -c "echo x | '$ZVM' submit -s '$SOCK' --report none '$CAT' | grep -qx x"

# --- every case of the local runner's suite, through zvmd: a zvm that
# adds --socket to `zvm map`, in a build tree of links
mkdir -p "$T/b/bin"
for f in "$PWD/$BUILD"/*; do [ "$(basename "$f")" = bin ] || ln -s "$f" "$T/b/"; done
for f in "$PWD/$BUILD"/bin/*; do ln -s "$f" "$T/b/bin/"; done
rm "$T/b/bin/zvm"
cat > "$T/b/bin/zvm" <<EOF
#!/bin/bash
if [ "\${1:-}" = map ]; then shift; exec "$PWD/$BUILD/bin/zvm" map --socket "$SOCK" "\$@"; fi
exec "$PWD/$BUILD/bin/zvm" "\$@"
EOF
chmod +x "$T/b/bin/zvm"
BUILD=$(realpath --relative-to=. "$T/b") bash tests/integration/t_map.sh > "$T/tmap.tap" 2>&1
# Some cases rely on the local runner's order, not on what a map means:
# replicas that race on a file one of them writes (zvmd runs a node's
# replicas at once, and an output takes its name only when its cell has
# ended), and a test that watches a running cell's output file grow.
while IFS= read -r line; do
	case "$line" in
	*"replica mismatch"*|*"two replicas that disagree"*)
		skip "through zvmd: ${line#* - } (replicas run at once here; the case needs them in turn)" ;;
	*"SIGTERM: zvm map ends by it"*|*"SIGTERM: the running cell was killed too"*)
		skip "through zvmd: ${line#* - } (an output has no name until its cell ends)" ;;
	"ok "*) ok "through zvmd: ${line#ok * - }" ;;
	"not ok "*) nok "through zvmd: ${line#not ok * - }" ;;
	esac
done < "$T/tmap.tap"
kill -TERM $DPID; wait $DPID; rc=$?; DPID=
check "zvmd drains and exits 0 on SIGTERM" test $rc = 0
