#!/bin/bash
# The `zvm` command as a user meets it: help, errors that name the file,
# exit statuses, channels, reports and digests; run and submit take the same
# options with the same messages; quiet on success, one line on failure. TAP.
set -u
source "$(dirname "$0")/../lib.sh"
if [ ! -x "$ZVM" ] || [ ! -f "$LD_SCRIPT" ]; then skip "zvm or the linker script not built"; exit 0; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache
gcc -c -I tests/hostile tests/integration/cat7.S -o "$T/cat7.o" &&
	ld -static -nostdlib -T "$LD_SCRIPT" "$T/cat7.o" -o "$T/cat7.nexe" || { nok "cat7 builds"; exit 1; }

# help and usage
for c in "" "run" "validate"; do
	# shellcheck disable=SC2086
	check "zvm $c --help prints usage and exits 0" bash -c "'$ZVM' $c --help | grep -q '^usage: zvm'"
done
"$ZVM" run >/dev/null 2>&1; check "zvm run without a program exits 2" test $? = 2
"$ZVM" frobnicate >/dev/null 2>&1; check "unknown command exits 2" test $? = 2
"$ZVM" run --report xml "$T/cat7.nexe" >/dev/null 2>&1; check "bad --report value exits 2" test $? = 2
"$ZVM" run --memory 12Q "$T/cat7.nexe" >/dev/null 2>"$T/err"; rc=$?
check "bad --memory exits 2 and names the value" bash -c "[ $rc = 2 ] && grep -q \"12Q\" '$T/err'"

# images that are not zvm images
"$ZVM" run "$T/missing.nexe" </dev/null >/dev/null 2>"$T/err"; rc=$?
check "missing image: exit 125, names the file" bash -c "[ $rc = 125 ] && grep -q 'missing.nexe' '$T/err'"
"$ZVM" run /bin/true </dev/null >/dev/null 2>"$T/err"; rc=$?
check "a dynamic host binary is refused with a reason" bash -c "[ $rc = 125 ] && grep -q 'static executable' '$T/err'"
head -c 100 "$T/cat7.nexe" > "$T/trunc.nexe"
"$ZVM" validate "$T/trunc.nexe" >/dev/null 2>"$T/err"; rc=$?
check "truncated image: validate exits 2 with an offset" bash -c "[ $rc = 2 ] && grep -q 'offset 0x' '$T/err'"

# a real run: stdin to stdout, exit code, report, digests
printf 'hello\nworld\n' > "$T/in"
"$ZVM" run --report json --report-file "$T/r.json" "$T/cat7.nexe" < "$T/in" > "$T/out" 2>"$T/err"; rc=$?
check "program's exit code is zvm run's exit status" test $rc = 7
check "stdin reaches stdout unchanged" cmp -s "$T/in" "$T/out"
check "report state ok, exit_code 7" bash -c "[ \"\$(grep -o '\"state\":\"ok\"' '$T/r.json')\" ] && grep -q '\"exit_code\":7' '$T/r.json'"
sum=$(sha256sum < "$T/out" | cut -d' ' -f1)
check "stdout digest in the report equals sha256sum of the output" grep -q "\"alias\":\"/dev/stdout\",\"reads\":0,\"read_bytes\":0,\"writes\":1,\"write_bytes\":12,\"limit_reached\":false,\"sha256\":\"$sum\"" "$T/r.json"
check "stdin channel counts its bytes" grep -q '"alias":"/dev/stdin","reads":2,"read_bytes":12' "$T/r.json"
"$ZVM" run --report text "$T/cat7.nexe" < "$T/in" > /dev/null 2>"$T/text"
check "text report names the state and the channels" bash -c "grep -q '^zvm: ok, exit code 7' '$T/text' && grep -q 'channel 1 /dev/stdout' '$T/text'"
"$ZVM" run --report none "$T/cat7.nexe" < "$T/in" > /dev/null 2>"$T/none"
check "--report none prints nothing" test ! -s "$T/none"
"$ZVM" run --report json --report-file "$T/r2.json" "$T/cat7.nexe" < "$T/in" > /dev/null 2>&1
check "second run: validation came from the cache" grep -q '"validation_cached":true' "$T/r2.json"
check "reruns give identical digests" bash -c "[ \"\$(grep -o '\"sha256\":\"[0-9a-f]*\"' '$T/r.json')\" = \"\$(grep -o '\"sha256\":\"[0-9a-f]*\"' '$T/r2.json')\" ]"
"$ZVM" run --no-cache --report json --report-file "$T/r3.json" "$T/cat7.nexe" < "$T/in" > /dev/null 2>&1
check "--no-cache validates again" grep -q '"validation_cached":false' "$T/r3.json"
"$ZVM" run --memory 64K "$T/cat7.nexe" < /dev/null > /dev/null 2>"$T/err"; rc=$?
check "--memory below 1M: exit 2 naming the range" bash -c "[ $rc = 2 ] && grep -q 'from 1M to 3G' '$T/err'"
printf '#include "hostile.inc"\n\thlt\n\t.bss\n\t.zero 2097152\n' > "$T/bigbss.S"
gcc -c -I tests/hostile "$T/bigbss.S" -o "$T/bigbss.o" && ld -static -nostdlib -T "$LD_SCRIPT" "$T/bigbss.o" -o "$T/bigbss.nexe"
"$ZVM" run --memory 1M --report json --report-file "$T/r4.json" "$T/bigbss.nexe" < /dev/null > /dev/null 2>&1; rc=$?
check "memory limit smaller than the image: load error 125 with a reason" bash -c "[ $rc = 125 ] && grep -q 'smaller than the image' '$T/r4.json'"
"$ZVM" run --report json --report-file "$T/r5.json" --manifest /dev/null < /dev/null > /dev/null 2>"$T/err"; rc=$?
check "a manifest without Program: exit 125 with file and line" bash -c "[ $rc = 125 ] && grep -q 'no Program' '$T/err'"

# the debug switch is refused unless explicitly allowed
"$ZVM" run --debug-skip-validation "$T/cat7.nexe" </dev/null >/dev/null 2>"$T/err"; rc=$?
check "--debug-skip-validation refused without ZVM_DEBUG_ALLOW_UNVALIDATED=1" bash -c "[ $rc = 125 ] && grep -q 'ZVM_DEBUG_ALLOW_UNVALIDATED' '$T/err'"
ZVM_DEBUG_ALLOW_UNVALIDATED=1 "$ZVM" run --report none --debug-skip-validation "$T/cat7.nexe" </dev/null >/dev/null 2>&1; rc=$?
check "--debug-skip-validation runs when allowed" test $rc = 7

# ---- quiet on success, one line on failure (docs/report.md) ----------------
for p in loop wild; do
	gcc -c -I tests/hostile tests/hostile/$p.S -o "$T/$p.o" && ld -static -nostdlib -T "$LD_SCRIPT" "$T/$p.o" -o "$T/$p.nexe"
done
gcc -c -I tests/hostile tests/escape/syscall.S -o "$T/sys.o" && ld -static -nostdlib -T "$LD_SCRIPT" "$T/sys.o" -o "$T/sys.nexe"
# the program's stdout channel is the caller's stderr: what zvm adds shows
cat > "$T/tostderr.manifest" <<EOM
Program = $T/cat7.nexe
Channel = /dev/stdin,  /dev/stdin,  0, unlimited, unlimited, 0, 0
Channel = /dev/stderr, /dev/stdout, 0, 0, 0, unlimited, unlimited
EOM
"$ZVM" run -m "$T/tostderr.manifest" < "$T/in" > "$T/out" 2>"$T/err"; rc=$?
check "a run that ends ok (exit 7): stderr holds the program's bytes and nothing of zvm's" bash -c "[ $rc = 7 ] && cmp -s '$T/in' '$T/err' && [ ! -s '$T/out' ]"
"$ZVM" run "$T/cat7.nexe" < "$T/in" > /dev/null 2>"$T/err"
check "a plain successful run prints nothing on stderr" test ! -s "$T/err"
one_line() { # FILE PATTERN: exactly one line, starting with "zvm: ", matching PATTERN
	[ "$(wc -l < "$1")" = 1 ] && grep -q '^zvm: ' "$1" && grep -qE "$2" "$1"
}
"$ZVM" run --timeout 0.2 "$T/loop.nexe" </dev/null >/dev/null 2>"$T/err"; rc=$?
check "timeout: exit 124 and one line 'zvm: timeout after ... (wall limit 0.2 s)'" bash -c "[ $rc = 124 ] && $(declare -f one_line); one_line '$T/err' '^zvm: timeout after [0-9.]+ s \(wall limit 0.2 s\)$'"
"$ZVM" run "$T/wild.nexe" </dev/null >/dev/null 2>"$T/err"; rc=$?
check "a fault: exit 139 and one line 'zvm: killed by signal 11 ... at 0x... (pc 0x...)'" bash -c "[ $rc = 139 ] && $(declare -f one_line); one_line '$T/err' '^zvm: killed by signal 11 .* at 0x[0-9a-f]+ \(pc 0x[0-9a-f]+'"
"$ZVM" run "$T/sys.nexe" </dev/null >/dev/null 2>"$T/err"; rc=$?
check "invalid image: exit 126 and one line 'zvm: validation failed: RULE at offset 0x..'" bash -c "[ $rc = 126 ] && $(declare -f one_line); one_line '$T/err' '^zvm: validation failed: forbidden-instruction at offset 0x[0-9a-f]+: syscall'"
ZVM_DEBUG_ALLOW_UNVALIDATED=1 "$ZVM" run --debug-skip-validation "$T/sys.nexe" </dev/null >/dev/null 2>"$T/err"; rc=$?
check "seccomp: exit 159 and one line 'zvm: seccomp violation: SYSCALL'" bash -c "[ $rc = 159 ] && $(declare -f one_line); one_line '$T/err' '^zvm: seccomp violation: [a-z_0-9]+ \([0-9]+\)'"
"$ZVM" run "$T/missing.nexe" </dev/null >/dev/null 2>"$T/err"; rc=$?
check "load error: exit 125 and one line 'zvm: load error: ...'" bash -c "[ $rc = 125 ] && $(declare -f one_line); one_line '$T/err' '^zvm: load error: .*missing.nexe: No such file'"
"$ZVM" run --report text --timeout 0.2 "$T/loop.nexe" </dev/null >/dev/null 2>"$T/err"
check "--report text: the full report on stderr (state, times, channels)" bash -c "grep -q '^zvm: timeout$' '$T/err' && grep -q '^zvm: wall ' '$T/err' && grep -q '^zvm: channel 1 /dev/stdout' '$T/err'"
"$ZVM" run --report text "$T/cat7.nexe" < "$T/in" >/dev/null 2>"$T/err"
check "--report text on success: the full report too" bash -c "grep -q '^zvm: ok, exit code 7' '$T/err' && [ \$(wc -l < '$T/err') -ge 5 ]"
"$ZVM" run --report-file "$T/rf.txt" --timeout 0.2 "$T/loop.nexe" </dev/null >/dev/null 2>"$T/err"
check "--report-file: the full text report in the file, the one line on stderr" bash -c "grep -q '^zvm: wall ' '$T/rf.txt' && $(declare -f one_line); one_line '$T/err' '^zvm: timeout after'"
"$ZVM" run --report none --timeout 0.2 "$T/loop.nexe" </dev/null >/dev/null 2>"$T/err"; rc=$?
check "--report none on a failure: nothing at all, the exit status says it" bash -c "[ $rc = 124 ] && [ ! -s '$T/err' ]"

# ---- zvm run and zvm submit take the same options, with the same messages --
# submit is pointed at a socket nobody listens on: what it accepts ends in
# "cannot reach zvmd"; what it refuses must be refused as zvm run refuses it.
NOSOCK=$T/nobody.sock
printf 'Program = %s\nChannel = /dev/stdin, /dev/stdin, 0, unlimited, unlimited, 0, 0\nChannel = %s, /dev/image, 1, unlimited, unlimited, 0, 0\n' \
	"$T/cat7.nexe" "$T/in" > "$T/img.manifest"
printf 'Program = %s\nMemroy = 1M\n' "$T/cat7.nexe" > "$T/bad.manifest"
printf 'Program = %s\nChannel = %s/nodir/x, /dev/input, 0, unlimited, unlimited, 0, 0\n' "$T/cat7.nexe" "$T" > "$T/nochan.manifest"
# kind | options (split on spaces; @ is a space inside one) | message (refused and load rows)
while IFS='|' read -r kind opts want; do
	[ -z "$kind" ] && continue
	read -r -a args <<< "$opts"
	args=("${args[@]//@/ }")
	"$ZVM" run "${args[@]}" </dev/null >/dev/null 2>"$T/r.err"; rrc=$?
	"$ZVM" submit -s "$NOSOCK" "${args[@]}" </dev/null >/dev/null 2>"$T/s.err"; src=$?
	sed 's/zvm run/zvm CMD/g' "$T/r.err" > "$T/r.norm"
	sed 's/zvm submit/zvm CMD/g' "$T/s.err" > "$T/s.norm"
	case $kind in
	accept) check "run and submit accept: $opts" bash -c "[ $rrc = 7 ] && [ $src = 125 ] && grep -q 'cannot reach zvmd' '$T/s.err'" ;;
	refuse) check "run and submit refuse with exit 2 and the same message: $opts" \
			bash -c "[ $rrc = 2 ] && [ $src = 2 ] && cmp -s '$T/r.norm' '$T/s.norm' && grep -qF -- \"$want\" '$T/r.norm' && [ \$(wc -l < '$T/r.norm') = 1 ]" ;;
	load)   check "run and submit: the same load error (125): $opts" \
			bash -c "[ $rrc = 125 ] && [ $src = 125 ] && cmp -s '$T/r.norm' '$T/s.norm' && grep -qF -- \"$want\" '$T/r.norm'" ;;
	esac
done <<EOT
accept|$T/cat7.nexe|
accept|--memory 64M $T/cat7.nexe|
accept|--memory 1@GiB $T/cat7.nexe|
accept|--timeout 500ms --cpu-time 0.25 $T/cat7.nexe|
accept|--seed 5 --epoch 1700000000000000000 $T/cat7.nexe|
accept|--env A=b --env C= --nondeterministic $T/cat7.nexe -- x y|
accept|--report json --report-file $T/rf.json $T/cat7.nexe|
accept|--image $T/in --image-out $T/out.tar $T/cat7.nexe|
accept|-m $T/img.manifest|
accept|--manifest $T/img.manifest --timeout 2 -- a|
refuse|--memory 12Q $T/cat7.nexe|zvm CMD: --memory '12Q': expected bytes (like 64M or 1 GiB) from 1M to 3G
refuse|--memory 64K $T/cat7.nexe|zvm CMD: --memory '64K'
refuse|--memory 64MB $T/cat7.nexe|zvm CMD: --memory '64MB'
refuse|--timeout 0 $T/cat7.nexe|zvm CMD: --timeout '0': expected seconds
refuse|--timeout 1e3 $T/cat7.nexe|zvm CMD: --timeout '1e3'
refuse|--cpu-time -1 $T/cat7.nexe|zvm CMD: --cpu-time '-1'
refuse|--seed -1 $T/cat7.nexe|zvm CMD: --seed '-1': expected an unsigned decimal number
refuse|--epoch x $T/cat7.nexe|zvm CMD: --epoch 'x'
refuse|--env NOEQUALS $T/cat7.nexe|zvm CMD: --env 'NOEQUALS': expected NAME=VALUE
refuse|--env =x $T/cat7.nexe|zvm CMD: --env '=x'
refuse|--report xml $T/cat7.nexe|zvm CMD: --report 'xml': expected text, json or none
refuse|--report none --report-file $T/x $T/cat7.nexe|zvm CMD: --report none and --report-file
refuse|--frobnicate $T/cat7.nexe|zvm CMD: unknown option '--frobnicate'
refuse|-q $T/cat7.nexe|zvm CMD: unknown option '-q'
refuse|--timeout|zvm CMD: --timeout needs a value
refuse|--manifest $T/img.manifest --image $T/in|zvm CMD: --image: the manifest already declares /dev/image
load|$T/missing.nexe|zvm: load error: $T/missing.nexe: No such file or directory
load|$T|zvm: load error: $T: not a regular file
load|--manifest $T/none.manifest|zvm: load error: $T/none.manifest: No such file or directory
load|--manifest $T/bad.manifest|zvm: load error: $T/bad.manifest:2: unknown key 'Memroy'
load|--manifest $T/nochan.manifest|zvm: load error: channel /dev/input ($T/nodir/x): No such file or directory
load|--image $T/none.tar $T/cat7.nexe|zvm: load error: channel /dev/image ($T/none.tar): No such file or directory
EOT
"$ZVM" run </dev/null >/dev/null 2>&1; rrc=$?
"$ZVM" submit -s "$NOSOCK" </dev/null >/dev/null 2>&1; src=$?
check "run and submit without a program: usage, exit 2" bash -c "[ $rrc = 2 ] && [ $src = 2 ]"
for c in run submit; do
	"$ZVM" $c --help > "$T/help"
	miss=""
	for o in --manifest --memory --timeout --cpu-time --nondeterministic --image --image-out --env --seed --epoch --report --report-file --help; do
		grep -q -- "$o\b" "$T/help" || miss="$miss $o"
	done
	check "zvm $c --help lists every shared option${miss:+ (missing:$miss)}" test -z "$miss"
done
check "zvm run --help lists its own (--no-cache, --debug-skip-validation)" bash -c "'$ZVM' run --help | grep -q -- --no-cache && '$ZVM' run --help | grep -q -- --debug-skip-validation"
check "zvm submit --help lists its own (--socket, --digest)" bash -c "'$ZVM' submit --help | grep -q -- --socket && '$ZVM' submit --help | grep -q -- --digest"
