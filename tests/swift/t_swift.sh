#!/bin/bash
# zvm in OpenStack Swift (docs/swift.md) on the rig (integrations/swift/rig.sh):
# the Python units (the protocol client, the map splitter), then a real
# single-host Swift from Debian's packages with the two filters and one
# zvmd per object server: the word count over a container, data-local
# placement from the report, outputs written and read back, Swift's own
# authorisation (403, nothing runs), no fall-through to plain Swift, zvmd
# busy (503), an object server stopped mid-suite, a 100 MB object read
# from its .data file without a copy. The rig is stopped even on failure. TAP.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1   # nothing written into the source tree
RIGSH=integrations/swift/rig.sh
CAT=$BUILD/examples/cat.nexe
units=$(START=0 $PY tests/swift/tap_unittest.py test_zvmproto test_jobmap test_fuzz 2>&1)
printf '%s\n' "$units"
n=$(printf '%s\n' "$units" | grep -c '^\(not \)\?ok')

if [ "$(id -u)" != 0 ]; then skip "the rig needs root (zvmd)"; exit 0; fi
for c in swift-ring-builder swift-proxy-server swift-object-server memcached swift curl; do
	command -v $c >/dev/null || { nok "$c is installed (make deps: mk/deps.sh)"; exit 1; }
done
for f in "$BUILD/bin/zvmd" "$BUILD/examples/wordcount/mapper.nexe" "$BUILD/examples/wordcount/reducer.nexe" "$CAT"; do
	[ -e "$f" ] || { nok "$f is built (make)"; exit 1; }
done

T=$(mktemp -d)
export ZVM_SWIFT_RIG=$T/rig LC_ALL=C
BG=()
cleanup() {
	for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
	"$RIGSH" stop >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap "exit 143" TERM INT HUP

out=$("$RIGSH" start 2>"$T/start.err")
check "rig.sh start prints the ZVM_SWIFT_* assignments" bash -c "printf '%s\n' '$out' | grep -q '^ZVM_SWIFT_URL=http://127.0.0.1:[0-9]*$' &&
	printf '%s\n' '$out' | grep -qx 'ZVM_SWIFT_USER=test:tester' && printf '%s\n' '$out' | grep -qx 'ZVM_SWIFT_KEY=testing' &&
	printf '%s\n' '$out' | grep -qx 'ZVM_SWIFT_ACCOUNT=AUTH_test'"
eval "$out"
check "rig.sh start again is idempotent: the same URL, everything running" bash -c "
	[ \"\$('$RIGSH' start | head -1)\" = 'ZVM_SWIFT_URL=$ZVM_SWIFT_URL' ] && '$RIGSH' status >/dev/null"
check "the rig listens on loopback only" bash -c "! ss -ltnH | awk '{print \$4}' | grep -E ':($(sed 's/[A-Z_0-9]*=//g; s/ /|/g' "$ZVM_SWIFT_RIG/etc/ports"))\$' | grep -v '^127.0.0.1:'"
export ZVM_SWIFT_URL ZVM_SWIFT_USER ZVM_SWIFT_KEY ZVM_SWIFT_ACCOUNT PY
ETC=$ZVM_SWIFT_RIG/etc
. "$ETC/ports"
sw() { swift -A "$ZVM_SWIFT_URL/auth/v1.0" -U "$ZVM_SWIFT_USER" -K "$ZVM_SWIFT_KEY" "$@"; }
token() { swift -A "$ZVM_SWIFT_URL/auth/v1.0" -U "$1" -K "$2" auth | sed -n 's/.*OS_AUTH_TOKEN=//p'; }
TOKEN=$(token test:tester testing)
TOKEN3=$(token test:tester3 testing3)
# job FILE [QUERY] [TOKEN]: POST it; headers in $T/h, body in $T/b
job() { curl -s -o "$T/b" -D "$T/h" -w '%{http_code}' -X POST -H "X-Auth-Token: ${3:-$TOKEN}" -H 'X-Zvm-Execute: 1' \
	--data-binary @"$1" "$ZVM_SWIFT_URL/v1/AUTH_test${2:-}"; }
hdr() { sed -n "s/^$1: //Ip" "$T/h" | tr -d '\r'; }
# jobs run by all three zvmds together
zvmd_jobs() { (cd integrations/swift && $PY -c "
from zvm_swift import zvmproto as z
print(sum(z.status('$ZVM_SWIFT_RIG/run/zvmd-%d.sock' % i)['jobs'] for i in (1, 2, 3)))"); }
# primaries OBJECT-PATH: the ring's devices holding account/container/object
primaries() { $PY -c "
from swift.common.ring import Ring
from swift.common.utils import set_swift_dir
import sys
a, c, o = sys.argv[1].split('/', 2)
set_swift_dir('$ETC')  # the rig's hash suffix, not /etc/swift's
print(' '.join(d['device'] for d in Ring('$ETC', ring_name='object').get_nodes(a, c, o)[1]))" "$1"; }

export -f sw zvmd_jobs
(cd "$BUILD/examples/wordcount" && sw upload bin mapper.nexe reducer.nexe >/dev/null)
(cd "$BUILD/examples" && sw upload bin cat.nexe >/dev/null)
(cd examples/wordcount/data && sw upload words *.txt >/dev/null)
sw post out
sw post -r 'test:tester3' readonly
(cd examples/wordcount/data && sw upload readonly *.txt >/dev/null)
cat > "$T/wc.json" <<'EOF'
[{"name": "map", "exec": {"path": "swift://AUTH_test/bin/mapper.nexe"},
  "devices": [{"name": "stdin", "path": "swift://AUTH_test/words/*.txt"}], "connect": ["reduce"]},
 {"name": "reduce", "exec": {"path": "swift://AUTH_test/bin/reducer.nexe"}, "devices": [{"name": "stdout"}]}]
EOF
"$ZVM" map examples/wordcount/job.json > "$T/expected"

# --- the word count over a container
rc=$(job "$T/wc.json")
check "word count over a container: 200, X-Zvm-State ok, 4 nodes, byte-identical to zvm map's" bash -c "
	[ $rc = 200 ] && [ '$(hdr X-Zvm-State)' = ok ] && [ '$(hdr X-Zvm-Nodes)' = 4 ] && cmp -s '$T/b' '$T/expected'"
check "the report's headers name each node, its state and its server" bash -c "
	grep -qi '^X-Zvm-Node-Map-1: state=ok exit=0 server=127.0.0.1:[0-9]*/o[123] local=1 net=[0-9]*' '$T/h' &&
	grep -qi '^X-Zvm-Node-Reduce: state=ok exit=0 server=127.0.0.1:[0-9]*/o[123] local=0' '$T/h'"

rc=$(job "$T/wc.json" '?report=json')
cp "$T/b" "$T/report.json"
locality() { $PY - "$T/report.json" "$ETC" "$ZVM_SWIFT_RIG/srv" <<'EOF'
import glob, json, sys
from swift.common.ring import Ring
from swift.common.utils import hash_path
from swift.common.utils import set_swift_dir
r = json.load(open(sys.argv[1]))
set_swift_dir(sys.argv[2])
ring = Ring(sys.argv[2], ring_name='object')
maps = [n for n in r['nodes'] if n['name'].startswith('map')]
assert len(maps) == 3
for n in maps:
    ch = n['channels'][0]
    dev = n['server'].rsplit('/', 1)[1]
    a, c, o = n['object'].split('/', 2)
    part, nodes = ring.get_nodes(a, c, o)
    held = [d['device'] for d in nodes]
    assert n['data_local'] and dev in held, (n['name'], dev, held)
    h = hash_path(a, c, o)
    # and that device's disk does hold the object's .data file
    assert glob.glob('%s/%s/objects/%d/%s/%s/*.data' % (sys.argv[3], dev, part, h[-3:], h)), (n, part, h)
    assert n['local_bytes'] == ch['read_bytes'] > 0, n
print('ok')
EOF
}
loc=$(locality 2>&1)
check "?report=json: every mapper ran on a server holding a replica of its object, reading the local copy" \
	bash -c "[ $rc = 200 ] && [ '$loc' = ok ]"
check "?report=json: the job's network bytes are small beside nothing (edges and stdout only, the images already there)" \
	bash -c "net=\$(grep -o '\"network_bytes\": [0-9]*' '$T/report.json' | tail -1 | grep -o '[0-9]*\$'); [ \"\$net\" -gt 0 ] && [ \"\$net\" -lt 20000 ]"

# --- outputs as objects, read back
cat > "$T/out.json" <<'EOF'
[{"name": "map", "exec": {"path": "swift://AUTH_test/bin/mapper.nexe"},
  "devices": [{"name": "stdin", "path": "swift://AUTH_test/words/*.txt"},
              {"name": "stdout", "path": "swift://AUTH_test/out/count_*.txt"}]},
 {"name": "all", "exec": {"path": "swift://AUTH_test/bin/mapper.nexe"},
  "devices": [{"name": "stdin", "path": "swift://AUTH_test/words/fox.txt"}], "connect": ["reduce"]},
 {"name": "reduce", "exec": {"path": "swift://AUTH_test/bin/reducer.nexe"},
  "devices": [{"name": "stdout", "path": "swift://AUTH_test/out/total.txt"}]}]
EOF
rc=$(job "$T/out.json")
mkdir -p "$T/dl"
(cd "$T/dl" && sw download out >/dev/null 2>&1)
ok_out=1
for f in examples/wordcount/data/*.txt; do
	b=$(basename "$f")
	"$ZVM" run "$BUILD/examples/wordcount/mapper.nexe" < "$f" > "$T/m.$b" 2>/dev/null
	cmp -s "$T/m.$b" "$T/dl/count_$b" || ok_out=0
done
tr -s ' ' '\n' < examples/wordcount/data/fox.txt | sort | uniq -c > "$T/fox.count"
check "outputs written as objects (* substituted), read back: each mapper's and the reducer's, byte for byte" bash -c "
	[ $rc = 200 ] && [ $ok_out = 1 ] && cmp -s '$T/dl/total.txt' '$T/fox.count' && [ ! -s '$T/b' ]"

# --- Swift's authorisation, before anything runs
before=$(zvmd_jobs)
rc=$(job "$T/wc.json" '' "$TOKEN3")
check "a token without read access: 403 naming the object, nothing ran (zvmd's job counts unchanged)" bash -c "
	[ $rc = 403 ] && grep -q 'swift://AUTH_test/.*: \(reading\|listing\) is not allowed' '$T/b' && [ \$(zvmd_jobs) = $before ]"
sed 's|AUTH_test/words/|AUTH_test/readonly/|; s|"stdout"}|"stdout", "path": "swift://AUTH_test/out/denied.txt"}|' "$T/wc.json" > "$T/deny-w.json"
sw upload --object-name mapper.nexe readonly "$BUILD/examples/wordcount/mapper.nexe" >/dev/null
sw upload --object-name reducer.nexe readonly "$BUILD/examples/wordcount/reducer.nexe" >/dev/null
sed 's|AUTH_test/bin/|AUTH_test/readonly/|' "$T/deny-w.json" > "$T/deny-w2.json"
rc=$(job "$T/deny-w2.json" '' "$TOKEN3")
check "a token that may read but not write the output: 403 naming it, nothing ran, no object made" bash -c "
	[ $rc = 403 ] && grep -q 'swift://AUTH_test/out/denied.txt: writing is not allowed' '$T/b' && [ \$(zvmd_jobs) = $before ] &&
	! sw stat out denied.txt >/dev/null 2>&1"
sed 's|words/\*.txt|words/fox.txt|; s|AUTH_test/bin/|AUTH_test/readonly/|' "$T/wc.json" > "$T/deny-one.json"
rc=$(job "$T/deny-one.json" '' "$TOKEN3")
check "a token without read access to one named object (no listing involved): 403 naming it, nothing ran" bash -c "
	[ $rc = 403 ] && grep -q 'swift://AUTH_test/words/fox.txt: reading is not allowed' '$T/b' && [ \$(zvmd_jobs) = $before ]"
sed 's|AUTH_test/words/|AUTH_test/readonly/|' "$T/wc.json" > "$T/deny-img.json"
rc=$(job "$T/deny-img.json" '' "$TOKEN3")
check "inputs it may read but an image it may not: 403 naming the image, nothing ran" bash -c "
	[ $rc = 403 ] && grep -q 'swift://AUTH_test/bin/.*: reading is not allowed' '$T/b' && [ \$(zvmd_jobs) = $before ]"
sed 's|"stdout", "path": "swift://AUTH_test/out/denied.txt"}|"stdout"}|' "$T/deny-w2.json" > "$T/read3.json"
rc=$(job "$T/read3.json" '' "$TOKEN3")
check "the same token runs the job that only reads what its ACL lets it (the control)" bash -c "[ $rc = 200 ] && cmp -s '$T/b' '$T/expected'"
before=$(zvmd_jobs)
rc=$(curl -s -o "$T/b" -w '%{http_code}' -X POST -H 'X-Zvm-Execute: 1' --data-binary @"$T/wc.json" "$ZVM_SWIFT_URL/v1/AUTH_test")
check "no token: 401, nothing ran" bash -c "[ $rc = 401 ] && [ \$(zvmd_jobs) = $before ]"

# --- never plain Swift
rc=$(curl -s -o /dev/null -w '%{http_code}' -X ZVMEXEC -H "X-Auth-Token: $TOKEN" "$ZVM_SWIFT_URL/v1/AUTH_test/words/fox.txt")
check "a client's ZVMEXEC through the proxy: 405" bash -c "[ $rc = 405 ]"
sw post -m zvm-test:kept words fox.txt
rc=$(curl -s -o "$T/b" -w '%{http_code}' -X POST -H "X-Auth-Token: $TOKEN" -H 'X-Zvm-Execute: 1' --data-binary @"$T/wc.json" "$ZVM_SWIFT_URL/v1/AUTH_test/words/fox.txt")
check "X-Zvm-Execute on an object's path: 400, never a metadata POST (the object's metadata kept)" bash -c "
	[ $rc = 400 ] && sw stat words fox.txt | grep -q 'Meta Zvm-Test: kept'"
# an object server without the filter: the proxy must refuse its answers
# and use another replica; the object's metadata stays
first=$(primaries AUTH_test/words/fox.txt | cut -d' ' -f1); i=${first#o}
"$RIGSH" stop-object "$i"
"$RIGSH" start-object "$i" plain >/dev/null
sed 's|words/\*.txt|words/fox.txt|' "$T/wc.json" > "$T/fox.json"
rc=$(job "$T/fox.json" '?report=json')
check "an object server without the zvm filter: its answer refused (405, no mark), the node ran on another replica" bash -c "
	[ $rc = 200 ] && grep -q 'answered 405 without its zvm filter: refused' '$T/b' && grep -q '\"name\": \"map\".*\"data_local\": true' '$T/b' &&
	! grep -q '\"server\": \"127.0.0.1:[0-9]*/$first\"' '$T/b'"
eval "port=\$P_OBJ$i"
part=$($PY -c "from swift.common.ring import Ring; from swift.common.utils import set_swift_dir; set_swift_dir('$ETC'); print(Ring('$ETC', ring_name='object').get_nodes('AUTH_test','words','fox.txt')[0])")
check "... and that server's copy of the object kept its metadata" bash -c "
	curl -s -I http://127.0.0.1:$port/$first/$part/AUTH_test/words/fox.txt | grep -qi '^X-Object-Meta-Zvm-Test: kept'"
"$RIGSH" stop-object "$i"
"$RIGSH" start-object "$i" >/dev/null

# --- zvmd busy: every object server's pool and queue full of cells blocked on a FIFO
mkfifo "$T/fifo"
exec 9<>"$T/fifo"
for s in 1 2 3; do
	for k in 1 2 3 4 5 6; do
		"$ZVM" submit -s "$ZVM_SWIFT_RIG/run/zvmd-$s.sock" --timeout 60 --report none "$CAT" < "$T/fifo" > /dev/null 2>&1 9>&- & BG+=($!)
	done
done
# full: 2 cells running and 4 queued on each (the rig's pool_size, queue_max)
for k in $(seq 300); do
	full=$(cd integrations/swift && $PY -c "
from zvm_swift import zvmproto as z
s = [z.status('$ZVM_SWIFT_RIG/run/zvmd-%d.sock' % i) for i in (1, 2, 3)]
print(all(x['busy'] == 2 and x['queued'] == 4 for x in s))")
	[ "$full" = True ] && break; sleep 0.1
done
rc=$(job "$T/fox.json")
check "every zvmd busy: 503 with Retry-After and X-Zvm-State busy" bash -c "[ $full = True ] && [ $rc = 503 ] && [ '$(hdr X-Zvm-State)' = busy ] && [ -n '$(hdr Retry-After)' ]"
# what the check saw, for a failure to be read from the log
[ "$full" = True ] && [ "$rc" = 503 ] || echo "# busy check: all full: $full, status $rc, X-Zvm-State '$(hdr X-Zvm-State)', Retry-After '$(hdr Retry-After)'"
exec 9>&-   # the only writer: the cells read end of file and end
for p in "${BG[@]}"; do wait "$p" 2>/dev/null; done; BG=()

# --- one object server stopped mid-suite
"$RIGSH" stop-object 2
rc=$(job "$T/wc.json" '?report=json')
cp "$T/b" "$T/report.json"
check "object server 2 stopped: the job completes from the other replicas, none of its nodes on o2" bash -c "
	[ $rc = 200 ] && grep -q '^{\"state\": \"ok\"' '$T/b' && ! grep -q '/o2\"' '$T/b'"
rc=$(job "$T/wc.json")
check "... and prints the same counts" bash -c "[ $rc = 200 ] && cmp -s '$T/b' '$T/expected'"
"$RIGSH" start-object 2 >/dev/null

# --- a 100 MB object, read from its .data file by the cell
$PY -c "
import sys
line = b'the quick brown fox jumps over the lazy dog and counts its words\n'
n = 100 * 1024 * 1024 // len(line) + 1
sys.stdout.buffer.write((line * n)[:100 * 1024 * 1024])" > "$T/big.txt"
sw upload --object-name big.txt big "$T/big.txt" >/dev/null
rm -f "$T/big.txt"
cat > "$T/big.json" <<'EOF'
[{"name": "map", "exec": {"path": "swift://AUTH_test/bin/mapper.nexe"}, "limits": {"Timeout": 120, "CpuTime": 120},
  "devices": [{"name": "stdin", "path": "swift://AUTH_test/big/big.txt"}, {"name": "stdout"}]}]
EOF
rchar() { local s=0 i; for i in 1 2 3; do s=$((s + $(sed -n 's/^rchar: //p' /proc/$(cat "$ZVM_SWIFT_RIG/run/object-$i.pid")/io))); done; echo $s; }
r0=$(rchar)
rc=$(job "$T/big.json" '?report=json')
r1=$(rchar)
check "a 100 MB object: read whole by the cell from the local .data file, under 64 KiB over the network" bash -c "
	[ $rc = 200 ] && grep -q '\"read_bytes\": 104857600' '$T/b' && grep -q '\"local_bytes\": 104857600' '$T/b' &&
	net=\$(grep -o '\"network_bytes\": [0-9]*' '$T/b' | tail -1 | grep -o '[0-9]*\$') && [ \"\$net\" -lt 65536 ]"
check "... and no object server process read its bytes (their rchar grew by under 1 MiB: the fd went to zvmd)" bash -c "
	[ $((r1 - r0)) -lt 1048576 ]"

# --- stop leaves nothing
pids=$(cat "$ZVM_SWIFT_RIG"/run/*.pid)
"$RIGSH" stop
left=""
for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
check "rig.sh stop: none of its $(echo $pids | wc -w) processes left, no pid files" bash -c "
	[ -z '$left' ] && [ -z \"\$(ls '$ZVM_SWIFT_RIG'/run/*.pid 2>/dev/null)\" ]"
