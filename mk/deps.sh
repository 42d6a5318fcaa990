#!/bin/sh
# Installs every Debian package the build, the tests and the benchmarks need.
# Safe to run again: it only calls apt-get when something is missing.
set -eu
PKGS="build-essential binutils make pkg-config git clang llvm lld libclang-rt-14-dev
 libzydis-dev libseccomp-dev libcap-ng-dev libbpf-dev libssl-dev libcmocka-dev libjansson-dev
 libmicrohttpd-dev wrk jq hyperfine bubblewrap time dpkg-dev lua5.4 musl-tools csmith libcsmith-dev
 iproute2 nodejs npm chromium
 swift swift-proxy swift-object swift-container swift-account python3-swiftclient memcached curl e2fsprogs
 tcl autoconf automake libtool ed sqlite3 bzip2 xz-utils
 zlib1g-dev libbz2-dev liblzma-dev libexpat1-dev libsqlite3-dev python3.11 linux-perf"
missing=""
for p in $PKGS; do
	# a nodejs that carries its own npm (NodeSource's) conflicts with
	# Debian's npm package: the command is what the build needs
	[ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
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
