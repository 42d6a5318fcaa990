#!/bin/bash
# The lean client (docs/client.md): the `zvm` front end links no library of
# the local runner (checked on the binary, as ldd would show it, and on its
# symbols); run/validate/map go on through zvm-local; libzvm-client against
# a real zvmd (root; skips otherwise): tests/client/client-check.c. TAP.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ZVM=$BUILD/bin/zvm ZVMD=$BUILD/bin/zvmd CHECK=$BUILD/tests/bin/client-check
n=0
ok()   { n=$((n+1)); echo "ok $n - $*"; }
nok()  { n=$((n+1)); echo "not ok $n - $*"; }
check() { local w=$1; shift; if "$@"; then ok "$w"; else nok "$w"; fi; }
if [ ! -x "$ZVM" ] || [ ! -x "$BUILD/bin/zvm-local" ] || [ ! -x "$CHECK" ]; then echo "ok 1 # skip not built"; exit 0; fi
T=$(mktemp -d)
cleanup() { [ -n "${DPID:-}" ] && kill -9 "$DPID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

# --- what the front end links: nothing of the runner, not even dynamically
heavy='libcrypto|libssl|libZydis|libZycore|libseccomp|libbpf|libcap-ng|libjansson|libelf'
links_nothing_heavy() { # binary: no DT_NEEDED of the runner's libraries (jansson included: the
	# front end parses maps with it linked statically), none of their symbols
	! readelf -d "$1" | grep -E 'NEEDED' | grep -qE "$heavy" &&
	! nm "$1" 2>/dev/null | grep -qE ' [TtDdBbRr] (Zydis|seccomp_|bpf_|EVP_|OPENSSL_init|capng_)'
}
check "zvm (the front end) needs no libcrypto, Zydis, libseccomp, libbpf, libcap-ng or libjansson.so: $(readelf -d "$ZVM" | grep -c NEEDED) shared libraries" links_nothing_heavy "$ZVM"
check "the front end is a static PIE: no dynamic loader to run" bash -c "readelf -l '$ZVM' | grep -q 'DYN (Position-Independent' && ! readelf -l '$ZVM' | grep -q INTERP"
check "the front end holds no local runner (no zvm_run, zvm_map_run, sfi_validate_image: dropped with --gc-sections)" \
	bash -c "! nm '$ZVM' | grep -qE ' [Tt] (zvm_run|zvm_map_run|sfi_validate_image)$'"
check "libzvm-client links alone (client-check): nothing of the runner either" links_nothing_heavy "$CHECK"
check "zvm-local still links the runner's libraries" bash -c "readelf -d '$BUILD/bin/zvm-local' | grep NEEDED | grep -q libZydis"

# --- the front end hands run, validate and map to zvm-local, in the same process
out=$("$ZVM" run "$BUILD/examples/hello.nexe" -- a 2>&1); rc=$?
check "zvm run goes on as before (through zvm-local)" bash -c "[ $rc = 0 ] && grep -q 'argv\[1\] = a' <<< '$out'"
check "zvm validate goes on as before" bash -c "'$ZVM' validate '$BUILD/examples/hello.nexe' | grep -q ': valid'"
check "zvm run's exit status is the program's (exec, not a child): 2 for usage" bash -c "'$ZVM' run >/dev/null 2>&1; [ \$? = 2 ]"
mkfifo "$T/fifo"; exec 3<>"$T/fifo"
"$ZVM" run "$BUILD/examples/cat.nexe" < "$T/fifo" > "$T/run.out" 3>&- & P=$!
for i in $(seq 40); do [ "$(readlink /proc/$P/exe)" = "$(realpath "$BUILD/bin/zvm-local")" ] && break; sleep 0.05; done
exe=$(readlink /proc/$P/exe)
echo piped >&3; exec 3>&-; wait $P; rc=$?
check "zvm run becomes zvm-local in the same process (pid $P is $exe) and ends as the program did" \
	bash -c "[ '$exe' = '$(realpath "$BUILD/bin/zvm-local")' ] && [ $rc = 0 ] && grep -qx piped '$T/run.out'"
mkdir -p "$T/alone" && cp "$ZVM" "$T/alone/zvm"
"$T/alone/zvm" run "$BUILD/examples/hello.nexe" >/dev/null 2>"$T/alone.err"; rc=$?
check "a front end without zvm-local beside it: 127, naming zvm-local" bash -c "[ $rc = 127 ] && grep -q 'zvm-local' '$T/alone.err'"
"$T/alone/zvm" submit -s "$T/none.sock" "$BUILD/examples/hello.nexe" 2>"$T/alone.err"; rc=$?
check "... but submits without it (125, cannot reach zvmd: no zvm-local needed)" bash -c "[ $rc = 125 ] && grep -q 'cannot reach zvmd' '$T/alone.err'"

# --- against a real zvmd
if [ "$(id -u)" != 0 ]; then ok "# skip zvmd needs root"; exit 0; fi
cat > "$T/zvmd.conf" <<EOF2
pool_size = 4
queue_max = 64
uid_base = 2130000000
gid_base = 2130000000
cgroup_parent = zvm-ctest
EOF2
SOCK=$T/zvm.sock
ZVM_CACHE_DIR=$T/cache "$ZVMD" --config "$T/zvmd.conf" --socket "$SOCK" 2>"$T/zvmd.log" &
DPID=$!
for i in $(seq 50); do [ -S "$SOCK" ] && "$ZVM" status -s "$SOCK" 2>/dev/null | grep -q 'warm 4' && break; sleep 0.1; done
check "zvmd starts and warms its pool of 4 (zvm status through the front end)" bash -c "'$ZVM' status -s '$SOCK' | grep -q 'pool 4, warm 4'"
mkdir -p "$T/out"
"$CHECK" "$SOCK" "$BUILD/examples/hello.nexe" "$BUILD/examples/cat.nexe" examples/copy.input "$T/out" \
	"$BUILD/examples/template-hello.nexe" > "$T/check.out" 2>&1
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "libzvm-client: ${line#ok - }";;
	"not ok - "*) nok "libzvm-client: ${line#not ok - }";;
	*) nok "libzvm-client: unexpected output: $line";;
	esac
done < "$T/check.out"
[ -s "$T/check.out" ] || nok "client-check printed nothing"
"$ZVM" map examples/wordcount/job.json > "$T/map.local" 2>"$T/map.err"; rc=$?
check "zvm map (local) goes on as before, through zvm-local" bash -c "[ $rc = 0 ] && [ -s '$T/map.local' ]"
"$T/alone/zvm" map -s "$SOCK" examples/wordcount/job.json > "$T/map.zvmd" 2>"$T/map.err"; rc=$?
check "zvm map --socket runs in the front end itself (no zvm-local beside it), the same output as locally" \
	bash -c "[ $rc = 0 ] && cmp -s '$T/map.local' '$T/map.zvmd'"
D=$("$ZVM" upload -s "$SOCK" "$BUILD/examples/hello.nexe")
out=$("$ZVM" submit -s "$SOCK" --digest "$D" -- x 2>&1); rc=$?
check "zvm upload then zvm submit --digest through the front end" bash -c "[ $rc = 0 ] && grep -q 'argv\[1\] = x' <<< '$out'"
"$ZVM" submit -s "$SOCK" --digest "$(printf '5a%.0s' $(seq 32))" 2>"$T/nf.err"; rc=$?
check "zvm submit of an unknown digest: 125 and zvmd's refusal on stderr" bash -c "[ $rc = 125 ] && grep -q 'refused the request (not found)' '$T/nf.err'"
kill "$DPID"; wait "$DPID" 2>/dev/null; DPID=
