#!/bin/sh
# configure.sh SRC BUILDDIR ZVMCC HOSTPYTHON — CPython's configure as a cross
# build for the cell (mk/python.mk; the answers configure cannot find out by
# running a program are in config.site beside this file), then every module
# it found made part of the interpreter: Setup.stdlib as Setup.local, which
# makesetup reads as built in. A change here reconfigures and rebuilds.
# zlib, bzip2, liblzma, SQLite and expat are the batteries beside musl
# (mk/batteries.mk): configure finds their headers and libraries through
# zvm-cc; --with-system-expat takes that expat instead of CPython's copy.
set -eu
src=$(cd "$1" && pwd) bld=$2 cc=$3 host=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$bld" && mkdir -p "$bld" && cd "$bld"
# the test modules (_testcapi, _testinternalcapi, _testbuffer, ...) are
# built in: CPython's tests use them, Debian's python3.11 has them, and
# in a cell they reach nothing the rest of the interpreter cannot
CONFIG_SITE=$here/config.site PKG_CONFIG_LIBDIR=/nonexistent "$src/configure" \
	--host=x86_64-pc-linux-musl --build=x86_64-pc-linux-gnu \
	CC="$cc" AR=ar RANLIB=ranlib READELF=/usr/bin/readelf \
	--with-build-python="$host" --prefix=/usr --disable-shared --disable-ipv6 \
	--without-ensurepip --with-system-expat MODULE_BUILDTYPE=static CCSHARED= \
	>configure.log 2>&1 || { tail -20 configure.log; exit 1; }
cp Modules/Setup.stdlib Modules/Setup.local
make Makefile >>configure.log 2>&1 || { tail -20 configure.log; exit 1; }
