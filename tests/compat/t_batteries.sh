#!/bin/bash
# The libraries of mk/batteries.mk (zlib, bzip2, liblzma, expat, SQLite)
# from a C program in a cell, TAP output. tests/compat/batteries.c is built
# by `zvm-cc ... -lz -lbz2 -llzma -lexpat -lsqlite3` (no -I, no -L) and by
# gcc against Debian's own libraries (the same versions); both run on the
# same input and must give the same bytes. The compressed streams also go
# through the host's gzip, bzip2 and xz both ways, and the SQLite database
# the cell wrote (--image-out) is read by the host's sqlite3.
set -u
. "$(dirname "$0")/../lib.sh"
ZVMCC=$BUILD/bin/zvm-cc
LIBS="-lz -lbz2 -llzma -lexpat -lsqlite3"
why=
if [ ! -x "$ZVMCC" ] || [ ! -x "$ZVM" ]; then why="zvm or zvm-cc not built"
elif [ ! -f "$BUILD/runtime/musl/lib/libsqlite3.a" ]; then why="batteries not built (make batteries)"
fi
if [ -n "$why" ]; then skip "$why"; exit 0; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export ZVM_CACHE_DIR=$T/cache

if "$ZVMCC" -O2 tests/compat/batteries.c $LIBS -o "$T/b.nexe" 2>"$T/err"; then
	ok "zvm-cc batteries.c $LIBS links with no -I or -L"
else nok "zvm-cc batteries.c $LIBS: $(head -5 "$T/err")"; exit 0; fi
native=1
gcc -O2 tests/compat/batteries.c $LIBS -o "$T/b.native" 2>"$T/err" || native=0
[ $native = 1 ] || skip "native build (Debian's -dev packages): $(head -2 "$T/err")"

# ~1 MB of text with repeats, then 64 KiB of noise: both coders' paths
awk 'BEGIN { srand(7); for (i = 0; i < 20000; i++) printf "line %d of the input, value %d %s\n", i, int(rand() * 1e6), (i % 7 ? "same again" : "other") }' >"$T/in"
head -c 65536 /dev/urandom >>"$T/in"

cell() { "$ZVM" run "$T/b.nexe" -- "$@"; }
roundtrip() { # mode unmode host-tool
	local m=$1 u=$2 tool=$3
	if cell "$m" <"$T/in" >"$T/$m" 2>"$T/err" && $tool -dc <"$T/$m" | cmp -s - "$T/in"; then
		ok "$m in a cell; the host's $tool -d gives the input back"
	else nok "$m in a cell, $tool -d: $(head -3 "$T/err")"; fi
	$tool -c <"$T/in" >"$T/$m.host"
	if cell "$u" <"$T/$m.host" >"$T/$u" 2>"$T/err" && cmp -s "$T/$u" "$T/in"; then
		ok "$u in a cell of the host's $tool output gives the input back"
	else nok "$u in a cell: $(head -3 "$T/err")"; fi
	if [ $native = 1 ]; then
		"$T/b.native" "$m" <"$T/in" >"$T/$m.native"
		if cmp -s "$T/$m" "$T/$m.native"; then ok "$m: the cell's stream is byte-identical to the native build's"
		else nok "$m: the cell's stream differs from the native build's ($(wc -c <"$T/$m") vs $(wc -c <"$T/$m.native") bytes)"; fi
	fi
}
roundtrip gz gunzip gzip
roundtrip bz2 bunzip2 bzip2
roundtrip xz unxz xz

# expat: namespaces, entities, CDATA, attributes, 2,000 nested records
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<!DOCTYPE db [ <!ENTITY co "zvm &amp; friends"> ]>'
	echo '<db xmlns:x="urn:x" name="&co;">'
	for i in $(seq 1 2000); do printf '<rec id="%d" x:k="v%d"><v>%d &lt; %d</v><![CDATA[raw <%d>]]></rec>\n' $i $i $i $((i + 1)) $i; done
	echo '<utf8>h\xc3\xa9llo \xe2\x82\xac</utf8></db>'
} | sed 's/\\xc3\\xa9/é/; s/\\xe2\\x82\\xac/€/' >"$T/doc.xml"
if cell xml <"$T/doc.xml" >"$T/xml" 2>"$T/err" && tail -1 "$T/xml" | grep -q '^expat_2\.[0-9.]*: 4002 elements, 4002 attributes,'; then
	ok "expat parses in a cell: $(tail -1 "$T/xml")"
else nok "expat in a cell: $(tail -1 "$T/xml") $(head -3 "$T/err")"; fi
printf '<a><b></a>' >"$T/bad.xml"
if ! cell xml <"$T/bad.xml" >/dev/null 2>"$T/err" && grep -q 'line 1: mismatched tag' "$T/err"; then
	ok "expat reports a malformed document with its line"
else nok "malformed XML: $(cat "$T/err")"; fi
if [ $native = 1 ]; then
	"$T/b.native" xml <"$T/doc.xml" >"$T/xml.native"
	if cmp -s "$T/xml" "$T/xml.native"; then ok "expat: the cell's output is identical to the native build's"
	else nok "expat: the cell's output differs: $(diff "$T/xml" "$T/xml.native" | head -3)"; fi
fi

# SQLite: a table of 20,000 rows, an index, a join, window, JSON, math
# and FTS5; the database written back and read by the host's sqlite3
cat >"$T/q.sql" <<'EOF'
CREATE TABLE t(id INTEGER PRIMARY KEY, g INTEGER, name TEXT, v REAL);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000)
  INSERT INTO t SELECT i, i % 13, 'n' || (i * 7919 % 20000), (i * 37 % 1000) / 10.0 FROM c;
CREATE INDEX t_g ON t(g, v);
CREATE TABLE g(g INTEGER PRIMARY KEY, label TEXT);
INSERT INTO g SELECT DISTINCT g, 'group ' || g FROM t;
SELECT g.label, count(*), round(sum(t.v), 2), max(t.name) FROM t JOIN g USING (g) GROUP BY g.g ORDER BY g.g LIMIT 5;
SELECT id, v, rank() OVER (PARTITION BY g ORDER BY v DESC, id) AS r FROM t WHERE g = 3 ORDER BY r, id LIMIT 4;
SELECT json_object('n', count(*), 'avg', round(avg(v), 3)), json_extract('{"a":[1,2,{"b":"x"}]}', '$.a[2].b') FROM t;
SELECT round(sqrt(2), 9), round(ln(10), 9), printf('%.3e', 1e300 * 7), hex(zeroblob(3)), upper('straße');
CREATE VIRTUAL TABLE f USING fts5(body);
INSERT INTO f SELECT 'row ' || id || CASE WHEN id % 100 = 0 THEN ' hundred' ELSE ' plain' END FROM t WHERE id <= 1000;
SELECT count(*) FROM f WHERE f MATCH 'hundred';
SELECT body FROM f WHERE f MATCH 'hundred AND "row 500"';
PRAGMA integrity_check;
EOF
if "$ZVM" run --image-out "$T/out.tar" "$T/b.nexe" -- sql <"$T/q.sql" >"$T/sql" 2>"$T/err" && grep -qx ok "$T/sql"; then
	ok "SQLite in a cell: $(wc -l <"$T/sql") result lines, integrity ok"
else nok "SQLite in a cell: $(head -3 "$T/err")"; fi
if [ $native = 1 ]; then
	(cd "$T" && rm -f test.db && ./b.native sql <q.sql >sql.native 2>err.native)
	if cmp -s "$T/sql" "$T/sql.native"; then ok "SQLite: the cell's results are identical to the native build's"
	else nok "SQLite: the results differ: $(diff "$T/sql" "$T/sql.native" | head -4)"; fi
fi
mkdir -p "$T/x" && tar -xf "$T/out.tar" -C "$T/x" test.db 2>/dev/null
if [ -f "$T/x/test.db" ] && [ "$(sqlite3 "$T/x/test.db" 'SELECT count(*), sum(g) FROM t; PRAGMA integrity_check;' | tr '\n' ' ')" = "20000|119985 ok " ]; then
	ok "the database the cell wrote (--image-out) is read by the host's sqlite3"
else nok "test.db from --image-out: $(ls -la "$T/x" 2>&1 | tail -2)"; fi
