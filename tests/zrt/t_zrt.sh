#!/bin/bash
# ZRT in a cell, what musl programs get instead of a kernel (docs/runtime.md):
# unknown system calls say ENOSYS, no processes or threads, no executable
# memory, signals raised by the program itself, abort's exit status, TLS
# initial values and alignment, constructors and atexit order, malloc
# failing cleanly at the memory limit and the memory coming back. TAP.
set -u
. "$(dirname "$0")/../lib.sh"
ZVMCC=$BUILD/bin/zvm-cc
if [ ! -x "$ZVMCC" ] || [ ! -f "$BUILD/runtime/libzrt.a" ] || [ ! -f "$BUILD/runtime/musl/lib/libc.a" ]; then
	skip "musl + ZRT not built (make musl)"; exit 0
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_RUNTIME_DIR=$BUILD/runtime ZVM_LIBC=musl ZVM_CACHE_DIR=$T/cache
for p in enosys process membomb tls; do
	"$ZVMCC" -O2 -Wall -Wextra -Werror "tests/zrt/$p.c" -o "$T/$p.nexe" -lpthread 2>"$T/err" ||
		nok "$p.c builds: $(head -3 "$T/err")"
done

rc=0; out=$("$ZVM" run --report none "$T/enosys.nexe" 2>&1) || rc=$?
check "every unimplemented system call number (-5..599, garbage arguments) returns ENOSYS: $out" \
	[ $rc = 0 -a -n "$(echo "$out" | grep ' 0 did not say ENOSYS')" ]

rc=0; "$ZVM" run --report json --report-file "$T/p.json" "$T/process.nexe" > "$T/p.out" 2>&1 || rc=$?
check "no threads, processes or executable memory; raise() runs handlers; abort() exits 134" \
	diff -u tests/zrt/process.expected "$T/p.out"
check "abort(): exit status 134 (128 + SIGABRT) and the report says exit, not a fault" \
	[ $rc = 134 -a "$(json_field "$T/p.json" state)" = ok ]

rc=0; "$ZVM" run --report none "$T/tls.nexe" > "$T/t.out" 2>&1 || rc=$?
check "TLS initial values, 128-byte alignment, errno, constructors, atexit order, exit 5" \
	[ $rc = 5 -a "$(diff tests/zrt/tls.expected "$T/t.out" && echo same)" = same ]

rc=0; "$ZVM" run --memory 64M --report json --report-file "$T/m.json" "$T/membomb.nexe" > "$T/m.out" 2>&1 || rc=$?
r0=$(sed -n 's/^round 0: \([0-9]*\) MiB before malloc said ENOMEM$/\1/p' "$T/m.out")
r2=$(sed -n 's/^round 2: \([0-9]*\) MiB before malloc said ENOMEM$/\1/p' "$T/m.out")
check "malloc at a 64 MiB limit: NULL with ENOMEM, three times the same amount after freeing ($r0, $r2 MiB), exit 0" \
	[ $rc = 0 -a -n "$r0" -a "$r0" = "$r2" -a "${r0:-0}" -gt 40 ]
check "the refused growth is in the report (heap_refused > 0)" [ "$(json_field "$T/m.json" heap_refused)" -gt 0 ]
