#!/bin/sh
# stdlib.sh LIB BUILDDIR HOSTPYTHON OUT.tar DROP... — the standard library
# as python.nexe carries it: LIB (CPython's Lib/) without the DROP paths,
# with the build's _sysconfigdata module and an empty lib-dynload (the
# landmark by which getpath finds exec_prefix), compiled to .pyc by the
# build python (the same 3.11.2: the same magic number) with unchecked
# hashes (the files cannot change, so no stat of the source on import),
# packed as usr/lib/python3.11 in a tar whose bytes depend only on LIB:
# names sorted, owners 0, every time the date of the source's last Debian
# changelog entry (SOURCE_DATE_EPOCH, as Debian's builds use; not 1970,
# which a ZIP archive of these files could not record).
set -eu
lib=$1 bld=$2 host=$3 out=$4
shift 4
stage=$bld/stdlib
dest=$stage/usr/lib/python3.11
rm -rf "$stage"
mkdir -p "$stage/usr/lib"
cp -r "$lib" "$dest"
for d in "$@"; do
	rm -rf "${dest:?}/$d"
done
find "$dest" -name __pycache__ -prune -exec rm -rf {} +
# under the build's name and under Debian's (deb-locations: the name
# without the platform, which is what sysconfig looks for)
for f in "$bld/$(cat "$bld/pybuilddir.txt")"/_sysconfigdata_*.py; do
	cp "$f" "$dest/"
	cp "$f" "$dest/$(basename "$f" | sed 's/^_sysconfigdata_\([a-z]*\)_linux_/_sysconfigdata_\1_/')"
done
mkdir -p "$dest/lib-dynload"
# -j 2 at most: the machine's cores are shared
"$host" -E -s -m compileall -q -j 2 --invalidation-mode unchecked-hash -d /usr/lib/python3.11 \
	-x 'lib2to3/tests|bad_|badsyntax' "$dest" >/dev/null
when=$(dpkg-parsechangelog -STimestamp -l "$lib/../debian/changelog")
tar -C "$stage" --sort=name --mtime="@$when" --owner=0 --group=0 --numeric-owner --format=gnu \
	-cf "$out.tmp" usr
mv "$out.tmp" "$out"
