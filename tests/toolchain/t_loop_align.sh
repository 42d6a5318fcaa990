#!/bin/bash
# Loop alignment by zvm-cc (docs/sfi.md §4, issue #13), TAP output. A hot
# loop, short (up to 32 bytes) and long (33 to 64 bytes), is pushed to
# every 4-byte offset by filler ahead of it in main; in each image the
# loop (from the head its back edge jumps to, to the end of that jump)
# must start a bundle, sit in one 32-byte window when short and in one
# 64-byte line when long; the image must validate and print what the
# native gcc build prints. Both libcs (the default's musl + ZRT, and the
# small runtime).
set -u
. "$(dirname "$0")/../lib.sh"
ZVMCC=$BUILD/bin/zvm-cc
if [ ! -x "$ZVMCC" ] || [ ! -x "$ZVM" ]; then skip "zvm-cc or zvm not built"; exit 0; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache

cat > "$T/loop.c" <<'EOF'
#include <stdio.h>
int main(int argc, char **argv)
{
	unsigned long s = (unsigned long)argc, x = s * 7;

	(void)argv;
	__asm__ volatile(".skip " FILL ", 0x90"); /* one-byte NOPs: moves the loop */
	for (unsigned long i = 0; i < 3000000; i++) {
#ifdef LONG
		s = (s ^ (s >> 7)) * 0x9e3779b97f4a7c15ul + i;
		x = ((x << 3) | (x >> 61)) + s * 3 + (i ^ 0x55);
#else
		s = s * 31 + i;
#endif
	}
	printf("%lu %lu\n", s, x);
	return 0;
}
EOF

# "head end" of each innermost loop in main: a backward jump's target and
# the address after the jump, holding no other such loop
loops() {
	local -a addr tgt
	local i=0 j m=0 a t
	local -a h e
	while read -r a t; do
		addr[i]=$((16#$a))
		[ -n "$t" ] && tgt[i]=$((16#$t))
		i=$((i + 1))
	done < <(objdump -d --no-show-raw-insn "$1" | awk '
		/^[0-9a-f]+ <main>:/ { inmain = 1; next }
		inmain && /^$/ { exit }
		inmain && /^ +[0-9a-f]+:/ {
			a = $1; sub(":", "", a)
			if ($2 ~ /^j/ && $3 ~ /^[0-9a-f]+$/) print a, $3; else print a
		}')
	for ((j = 0; j < i - 1; j++)); do
		if [ -n "${tgt[j]:-}" ] && [ "${tgt[j]}" -lt "${addr[j]}" ]; then
			h[m]=${tgt[j]} e[m]=${addr[j + 1]} m=$((m + 1))
		fi
	done
	for ((a = 0; a < m; a++)); do
		local inner=1
		for ((t = 0; t < m; t++)); do
			if [ $t != $a ] && [ "${h[t]}" -ge "${h[a]}" ] && [ "${e[t]}" -le "${e[a]}" ] &&
				! { [ "${h[t]}" = "${h[a]}" ] && [ "${e[t]}" = "${e[a]}" ]; }; then inner=0; fi
		done
		[ $inner = 1 ] && echo "${h[a]} ${e[a]}"
	done
}

for cfg in musl:-O2 mini:-O2 musl:-Os; do
	libc=${cfg%%:*} opt=${cfg#*:}
	for kind in SHORT LONG; do
		bad="" sizes="" nbuilt=0
		for fill in $(seq 1 4 61); do
			x=$T/$libc$opt-$kind-$fill
			gcc $opt -D$kind -DFILL="\"$fill\"" "$T/loop.c" -o "$x.native" 2>"$x.err" &&
				ZVM_LIBC=$libc "$ZVMCC" $opt -D$kind -DFILL="\"$fill\"" "$T/loop.c" -o "$x.nexe" 2>>"$x.err" ||
				{ bad="$bad fill $fill: build failed ($(head -c 200 "$x.err"));"; continue; }
			nbuilt=$((nbuilt + 1))
			"$ZVM" validate "$x.nexe" >"$x.val" 2>&1 || { bad="$bad fill $fill: $(head -1 "$x.val");"; continue; }
			[ "$("$ZVM" run --report none "$x.nexe")" = "$("$x.native")" ] ||
				bad="$bad fill $fill: output differs;"
			l=$(loops "$x.nexe")
			[ -n "$l" ] || { bad="$bad fill $fill: no loop found in main;"; continue; }
			while read -r h e; do
				size=$((e - h))
				sizes="$sizes $size"
				if [ $((h % 32)) != 0 ]; then
					bad="$bad fill $fill: head $(printf %x "$h") not at a bundle start;"
				elif [ "$size" -le 64 ] && [ $((h / 64)) != $(((e - 1) / 64)) ]; then
					bad="$bad fill $fill: loop $(printf %x "$h")-$(printf %x "$e") ($size bytes) across a 64-byte line;"
				fi
			done <<< "$l"
		done
		want_size="size <= 32"
		[ "$kind" = LONG ] && want_size="33 <= size <= 64"
		in_range=$(for s in $sizes; do
			if [ "$kind" = LONG ]; then [ "$s" -gt 32 ] && [ "$s" -le 64 ] && echo y
			else [ "$s" -le 32 ] && echo y; fi; done | head -1)
		[ "$nbuilt" -gt 0 ] && [ -n "$in_range" ] ||
			bad="$bad no loop with $want_size (sizes:$sizes): the test program needs adjusting;"
		check "$libc $opt, $(echo $kind | tr A-Z a-z) loop at 16 offsets: head at a bundle start, in one window, valid, same output${bad:+ ($bad)}" \
			test -z "$bad"
	done
done

# .p2align above 32 bytes in code (gcc's -falign-loops=64): valid images
x=$T/align64
if "$ZVMCC" -O2 -falign-loops=64 -falign-functions=64 -DLONG -DFILL='"9"' "$T/loop.c" -o "$x.nexe" 2>"$x.err"; then
	check "-falign-loops=64 -falign-functions=64: the image validates" "$ZVM" validate "$x.nexe"
else
	nok "-falign-loops=64 -falign-functions=64 builds ($(head -c 200 "$x.err"))"
fi
echo "1..$n"
