#!/bin/bash
# The loader maps images rather than copying them (docs/sfi.md §2): a large
# image (8 MiB of constant data) runs and gives the right answer, its data
# pages read from the sealed memfd; writable data is copy-on-write and bss
# zero.
set -u
source "$(dirname "$0")/../lib.sh"
ZVMCC=$BUILD/bin/zvm-cc
if [ ! -x "$ZVM" ] || [ ! -x "$ZVMCC" ]; then
	skip "image tests: zvm or zvm-cc not built"; exit 0
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache

if ! "$ZVMCC" -O2 tests/integration/bigimage.c -o "$T/big.nexe" 2>"$T/cc.err"; then
	nok "bigimage.c builds: $(head -c 300 "$T/cc.err")"; exit 0
fi
size=$(stat -c %s "$T/big.nexe")
[ "$size" -gt $((8 << 20)) ] && ok "the image holds its 8 MiB array ($size bytes)" || nok "image is only $size bytes"
out=$("$ZVM" run --report none "$T/big.nexe" 2>&1)
[ "$out" = "1 3 4" ] && ok "8 MiB image: three entries read back" || nok "8 MiB image printed '$out'"
# every entry: 1*1 + 2*2 + 3*((N/2)%7+1) + 4*((N-1)%7+1), N = 2^21
want=$(( 1 + 4 + 3 * ((1048576 % 7) + 1) + 4 * ((2097151 % 7) + 1) ))
out=$("$ZVM" run --report none "$T/big.nexe" sum 2>&1)
[ "$out" = "sum $want" ] && ok "8 MiB image: the sum over every entry is right" || nok "sum: '$out', expected 'sum $want'"
out=$("$ZVM" run --report none --no-cache "$T/big.nexe" 2>&1)
[ "$out" = "1 3 4" ] && ok "8 MiB image without the validation cache" || nok "--no-cache: '$out'"

# Writable data, bss and a partial last page: the C runtime's own tests
# cover them, this checks the cell after a write into .data and .bss.
cat > "$T/data.c" <<'EOF2'
#include <stdio.h>
static int d[3000] = { 7, [2999] = 9 };   /* .data, past one page */
static int z[5000];                       /* .bss */
int main(void)
{
	d[0]++; d[2999]++; z[4999] = d[0] + d[2999];
	for (int i = 0; i < 4999; i++) if (z[i]) return 1;
	printf("%d %d %d\n", d[0], d[2999], z[4999]);
	return 0;
}
EOF2
if "$ZVMCC" -O2 "$T/data.c" -o "$T/data.nexe" 2>"$T/cc.err"; then
	out=$("$ZVM" run --report none "$T/data.nexe" 2>&1)
	[ "$out" = "8 10 18" ] && ok "data is copy-on-write and bss is zero" || nok "data/bss: '$out'"
	out=$("$ZVM" run --report none "$T/data.nexe" 2>&1)
	[ "$out" = "8 10 18" ] && ok "a second run sees the file's data, not the first run's writes" || nok "second run: '$out'"
else
	nok "data.c builds: $(head -c 300 "$T/cc.err")"
fi
