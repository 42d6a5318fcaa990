#!/bin/bash
# The escape corpus: every program in tests/escape/expected.tsv breaks
# exactly one validator rule and must be rejected with that rule; the
# "valid" rows are controls that must be accepted (so the test cannot pass
# by rejecting everything). TAP output.
set -u
source "$(dirname "$0")/../lib.sh"
if [ ! -x "$ZVM" ]; then n=1; echo "ok 1 # skip $ZVM not built"; exit 0; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
rejected=0 accepted=0
while IFS=$'\t' read -r file rule desc; do
	case "$file" in ''|'#'*) continue;; esac
	name=$(basename "$file" .S)
	if ! gcc -c -I tests/escape -I tests/hostile "tests/escape/$file" -o "$T/$name.o" 2>"$T/err" ||
	   ! ld -static -nostdlib -T "$LD_SCRIPT" "$T/$name.o" -o "$T/$name.nexe" 2>>"$T/err"; then
		nok "$name: does not assemble/link: $(head -c 300 "$T/err")"; continue
	fi
	out=$("$ZVM" validate "$T/$name.nexe" 2>&1); rc=$?
	if [ "$rule" = valid ]; then
		if [ $rc = 0 ]; then accepted=$((accepted+1)); ok "$name: accepted ($desc)"
		else nok "$name: a valid control program was rejected: $out"; fi
		continue
	fi
	got=$(printf '%s\n' "$out" | sed -n 's/.*invalid: rule \([a-z0-9-]*\) at offset.*/\1/p' | head -1)
	if [ $rc = 1 ] && [ "$got" = "$rule" ]; then
		rejected=$((rejected+1)); ok "$name: rejected by $rule ($desc)"
	else
		nok "$name: expected rule $rule, got '${got:-none}' (exit $rc): $(printf '%s' "$out" | head -c 300)"
	fi
done < tests/escape/expected.tsv
echo "# escape corpus: $rejected rejected with the expected rule, $accepted controls accepted"
