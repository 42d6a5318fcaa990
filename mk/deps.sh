#!/bin/sh
# Installs every Debian package the build, the tests and the benchmarks need.
# Safe to run again: it only calls apt-get when something is missing.
set -eu
PKGS="build-essential binutils make pkg-config git clang llvm lld libclang-rt-14-dev
 libzydis-dev libseccomp-dev libcap-ng-dev libbpf-dev libssl-dev libcmocka-dev libjansson-dev
 hyperfine bubblewrap time dpkg-dev lua5.4 musl-tools csmith libcsmith-dev
 tcl autoconf automake libtool sqlite3 bzip2 xz-utils
 zlib1g-dev libbz2-dev liblzma-dev libexpat1-dev libsqlite3-dev python3.11"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing — run 'make deps' as root" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing
fi
