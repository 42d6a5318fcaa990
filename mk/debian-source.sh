#!/bin/sh
# debian-source.sh PACKAGE DESTDIR — fetches Debian's source package into
# DESTDIR/PACKAGE (unpacked, Debian patches applied) unless it is already
# there. Adds a deb-src entry for the configured Debian archive when apt
# has none (a copy of the deb entries with Types: deb-src), then runs
# `apt-get source`. Nothing is fetched from anywhere but Debian's archive.
set -eu
pkg=$1
dest=$2
if [ -f "$dest/$pkg/.fetched" ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ] && ! apt-get source --print-uris "$pkg" >/dev/null 2>&1; then
	echo "debian-source: $pkg: no deb-src entry and not root; run 'make deps' as root" >&2
	exit 1
fi
if ! apt-get source --print-uris "$pkg" >/dev/null 2>&1; then
	list=/etc/apt/sources.list.d/zvm-deb-src.sources
	found=
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$list" ] || continue
		grep -q '^Types:.*deb' "$f" || continue
		found=$f
		break
	done
	if [ -n "$found" ]; then
		echo "debian-source: adding a deb-src entry ($list, from $found)"
		sed 's/^Types:.*/Types: deb-src/' "$found" >"$list"
	elif [ -f /etc/apt/sources.list ]; then
		echo "debian-source: adding deb-src lines (/etc/apt/sources.list.d/zvm-deb-src.list)"
		sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list >/etc/apt/sources.list.d/zvm-deb-src.list
	else
		echo "debian-source: no apt source list to derive a deb-src entry from" >&2
		exit 1
	fi
	apt-get update -qq
fi
# dpkg-source unpacks the package
command -v dpkg-source >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev; }
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
tmp="$dest/.fetch-$pkg.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
echo "debian-source: apt-get source $pkg"
# The candidate first; when the archive that lists it does not serve it
# (a security mirror whose sources lag its index), each other version
# apt knows, newest first.
if ! (cd "$tmp" && apt-get source -qq "$pkg" >/dev/null 2>"$tmp.err"); then
	got=
	for v in $(apt-cache showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort -urV); do
		rm -rf "$tmp" && mkdir -p "$tmp"
		if (cd "$tmp" && apt-get source -qq "$pkg=$v" >/dev/null 2>>"$tmp.err"); then
			echo "debian-source: $pkg: the candidate is not served; fetched $v"
			got=1
			break
		fi
	done
	[ -n "$got" ] || { cat "$tmp.err" >&2; rm -f "$tmp.err"; exit 1; }
fi
rm -f "$tmp.err"
dir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -1)
[ -n "$dir" ] || { echo "debian-source: apt-get source $pkg unpacked nothing" >&2; exit 1; }
rm -rf "${dest:?}/$pkg"
mv "$dir" "$dest/$pkg"
# the version, for the record
basename "$dir" >"$dest/$pkg/.fetched"
rm -rf "$tmp"
