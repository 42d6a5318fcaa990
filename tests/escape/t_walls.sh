#!/bin/bash
# The second wall. Each program of the escape corpus breaks one validator
# rule; here it is run WITHOUT validation (the debug switch) to show what
# stops it when the first wall is gone: the seccomp filter (state "seccomp
# violation"), or page protection / the CPU (a signal at the offending
# instruction). Constructs that are harmless by themselves (rdtsc, cpuid, an
# unmasked jump to a valid target, ...) run on and end at the program's
# final hlt. Every run must end with a report, no run may touch the host.
# TAP output; one line per program names the wall.
set -u
source "$(dirname "$0")/../lib.sh"
TABLE=tests/escape/expected.tsv
if [ ! -x "$ZVM" ] || [ ! -f "$LD_SCRIPT" ] || [ ! -f "$TABLE" ]; then
	skip "walls: zvm, the linker script or $TABLE missing"; exit 0
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache ZVM_DEBUG_ALLOW_UNVALIDATED=1
canary=$T/canary; echo "host data" > "$canary"; before=$(sha256sum < "$canary")

seccomp=0 fault=0 later=0
while IFS=$'\t' read -r file rule _; do
	case "$file" in ''|'#'*) continue;; esac
	case "$rule" in valid|-|'') continue;; esac
	name=$(basename "$file" .S)
	src=tests/escape/$name.S
	if ! gcc -c -I tests/escape -I tests/hostile "$src" -o "$T/$name.o" 2>"$T/as.err" ||
	   ! ld -static -nostdlib -T "$LD_SCRIPT" "$T/$name.o" -o "$T/$name.nexe" 2>"$T/ld.err"; then
		skip "$name: does not assemble or link as a whole program"; continue
	fi
	# Where the validator puts the violation (sandbox address).
	vout=$("$ZVM" validate "$T/$name.nexe")
	addr=$(printf '%s\n' "$vout" | sed -n 's/.*(address \(0x[0-9a-f]*\)).*/\1/p')
	len=$(printf '%s\n' "$vout" | sed -n 's/^  bytes: //p' | wc -w)
	timeout 20 "$ZVM" run --debug-skip-validation --timeout 2 --report json \
		--report-file "$T/r.json" "$T/$name.nexe" </dev/null >/dev/null 2>&1
	state=$(json_field "$T/r.json" state)
	pc=$(json_field "$T/r.json" fault_pc); sig=$(json_field "$T/r.json" signal)
	sys=$(json_field "$T/r.json" syscall)
	if [ -z "$state" ]; then nok "$name: no report"; continue; fi
	if [ "$state" = "seccomp violation" ]; then
		seccomp=$((seccomp+1)); ok "$name ($rule): stopped by seccomp, syscall $sys"
	elif [ "$state" = "killed by signal" ] && [ -n "$addr" ] && { [ "$pc" = "$((addr))" ] || [ "$pc" = "$((addr + len))" ]; }; then
		fault=$((fault+1)); ok "$name ($rule): stopped by the CPU/page protection at the instruction, signal $sig"
	elif [ "$state" = "killed by signal" ] && [ -n "$pc" ]; then
		where="in the sandbox"; [ "$pc" -ge $((1 << 32)) ] && where="in trusted code (a trap's return path reading the sandbox stack)"
		fault=$((fault+1)); ok "$name ($rule): stopped by page protection further on, signal $sig at pc $(printf 0x%x "$pc") $where"
	else
		later=$((later+1)); ok "$name ($rule): harmless alone, ran on and ended: $state (signal $sig at pc $pc)"
	fi
done < "$TABLE"
[ "$(sha256sum < "$canary")" = "$before" ] && ok "host canary untouched" || nok "host canary changed"
echo "# walls: $seccomp by seccomp, $fault by page protection or the CPU, $later harmless alone"
