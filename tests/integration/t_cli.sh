#!/bin/bash
# The `zvm` command as a user meets it: help, errors that name the file,
# exit statuses, channels, reports and digests. TAP output.
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
