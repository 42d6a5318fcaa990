#!/bin/bash
# The escape corpus: every program in tests/escape/expected.tsv breaks
# exactly one validator rule and must be rejected with that rule; the
# "valid" rows are controls that must be accepted (so the test cannot pass
# by rejecting everything). Each program is assembled, linked with the zvm
# linker script (text at 0x11000, traps at 0x10000 + 32n), its .text
# extracted and validated by escape-check (the validator alone, HLT-padded
# to the page end as the loader does); when the zvm CLI is built, `zvm
# validate` on the whole image must name the same rule. TAP output.
set -u
source "$(dirname "$0")/../lib.sh"
CHECK=$BUILD/tests/escape/escape-check
if [ ! -x "$CHECK" ]; then
	make -s BUILD="$BUILD" "$CHECK" >/dev/null 2>&1 || { echo "not ok 1 - escape-check does not build (make $CHECK)"; exit 1; }
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
rejected=0 accepted=0 cli=0 rows=0
declare -A seen_rule=()
while IFS=$'\t' read -r file rule desc; do
	case "$file" in ''|'#'*) continue;; esac
	rows=$((rows+1))
	name=$(basename "$file" .S)
	if ! gcc -c -I tests/escape -I tests/hostile "tests/escape/$file" -o "$T/$name.o" 2>"$T/err" ||
	   ! ld -static -nostdlib -T "$LD_SCRIPT" "$T/$name.o" -o "$T/$name.nexe" 2>>"$T/err" ||
	   ! objcopy -O binary --only-section=.text "$T/$name.nexe" "$T/$name.text" 2>>"$T/err"; then
		nok "$name: does not assemble/link: $(head -c 300 "$T/err")"; continue
	fi
	got=$("$CHECK" "$T/$name.text" 2>"$T/why"); rc=$?
	if [ -x "$ZVM" ]; then
		out=$("$ZVM" validate "$T/$name.nexe" 2>&1); zrc=$?
		zgot=$(printf '%s\n' "$out" | sed -n 's/.*invalid: rule \([a-z0-9-]*\) at offset.*/\1/p' | head -1)
		[ $zrc = 0 ] && zgot=valid
		if [ "$zgot" != "$got" ]; then
			nok "$name: escape-check says '$got' but zvm validate says '${zgot:-?}' (exit $zrc): $(printf '%s' "$out" | head -c 200)"
			continue
		fi
		cli=$((cli+1))
	fi
	if [ "$rule" = valid ]; then
		if [ $rc = 0 ]; then accepted=$((accepted+1)); ok "$name: accepted ($desc)"
		else nok "$name: a valid control program was rejected by $got: $(cat "$T/why")"; fi
		continue
	fi
	if [ $rc = 1 ] && [ "$got" = "$rule" ]; then
		rejected=$((rejected+1)); seen_rule[$rule]=1; ok "$name: rejected by $rule ($desc)"
	else
		nok "$name: expected rule $rule, got '${got:-none}' (exit $rc): $(head -c 300 "$T/why")"
	fi
done < tests/escape/expected.tsv
# Every .S in the folder is in the table (a program nobody checks proves nothing).
for f in tests/escape/*.S; do
	b=$(basename "$f")
	grep -q "^$b	" tests/escape/expected.tsv || nok "$b is not listed in tests/escape/expected.tsv"
done
[ $accepted -ge 5 ] && ok "at least 5 valid controls accepted ($accepted)" || nok "only $accepted valid controls accepted"
echo "# escape corpus: $rejected rejected with the expected rule (${#seen_rule[@]} distinct rules), $accepted controls accepted, $cli also checked by zvm validate"
