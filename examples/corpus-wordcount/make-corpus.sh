#!/bin/sh
# make-corpus.sh DIR — the map examples' real corpus (docs/system-map.md):
# the licenses and copyright files of this machine's Debian packages,
# /usr/share/common-licenses/* and /usr/share/doc/*/copyright, regular files
# only (no symlinks, none reached through a symlinked directory), sorted by
# path in the C locale, packed in that order into at most 48 shards
# DIR/shard-01.txt ... of about equal size. A file that does not end in a
# newline gets one, so no word runs from one file into the next.
#
# Why 48: a cell has at most 64 channels, so one reducer reads from at most
# 61 mappers (3 go to stdin, stdout and stderr); 48 leaves room for a node's
# own devices (a Lua reducer's script, an input or an output) and a few more
# edges, and divides evenly among 1, 2, 3, 4, 6, 8 or 16 runners.
#
# DIR/files.txt lists the files (path, size, mtime); the shards are rebuilt
# only when that list changes, so `make` is a no-op on an unchanged machine.
set -eu
dir=$1
max=48
export LC_ALL=C
mkdir -p "$dir"
list=$(find /usr/share/common-licenses /usr/share/doc -maxdepth 2 -type f \
	\( -path '/usr/share/common-licenses/*' -o -name copyright \) -printf '%p\t%s\t%T@\n' | sort)
[ -n "$list" ] || { echo "make-corpus.sh: no licenses or copyright files found" >&2; exit 1; }
if [ -f "$dir/files.txt" ] && [ "$list" = "$(cat "$dir/files.txt")" ]; then
	exit 0
fi
rm -f "$dir"/shard-*.txt "$dir/files.txt"
# greedy, in order: a shard takes files until it holds its share of what is
# left (the bytes left over the shards left), so a large file makes the
# shards after it smaller rather than fewer
printf '%s\n' "$list" | awk -F '\t' -v max=$max '
	{ path[NR] = $1; size[NR] = $2; left += $2 }
	END {
		k = 1; have = 0; share = left / max
		for (i = 1; i <= NR; i++) {
			if (have > 0 && have + size[i] / 2 > share && k < max) {
				k++; have = 0; share = left / (max - k + 1)
			}
			printf "%02d\t%s\n", k, path[i]
			have += size[i]; left -= size[i]
		}
	}' | while IFS='	' read -r k path; do
	cat "$path" >> "$dir/shard-$k.txt"
	[ ! -s "$path" ] || [ "$(tail -c 1 "$path" | od -An -c | tr -d ' ')" = '\n' ] || echo >> "$dir/shard-$k.txt"
done
printf '%s\n' "$list" > "$dir/files.txt"
echo "make-corpus.sh: $(printf '%s\n' "$list" | wc -l) files into $(ls "$dir"/shard-*.txt | wc -l) shards in $dir"
